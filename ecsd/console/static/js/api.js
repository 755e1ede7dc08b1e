// The console's only way to ecsd: the public AWS APIs, called as the aws CLI calls them
// (JSON 1.1 with X-Amz-Target, or the Query protocol for ELBv2 and CloudWatch), so every
// action is validated as any client's and its errors are the API's own words.

const JSON_SERVICES = {
  ecs: "AmazonEC2ContainerServiceV20141113",
  logs: "Logs_20140328",
  ecr: "AmazonEC2ContainerRegistry_V20150921",
  ssm: "AmazonSSM",
  secretsmanager: "secretsmanager",
  "application-autoscaling": "AnyScaleFrontendService",
};
const QUERY_VERSIONS = { elbv2: "2015-12-01", cloudwatch: "2010-08-01" };
// The name each service signs with (botocore's signingName), where it is not its own.
const SIGNING_NAMES = { elbv2: "elasticloadbalancing", cloudwatch: "monitoring" };
export const REGION = "us-east-1";

// -- signing (ecsd serve --auth) --------------------------------------------------------------
// With --auth every API call must carry a SigV4 signature by one of ecsd's keys: the
// console asks for one (kept in this tab's sessionStorage only) and signs with WebCrypto,
// as botocore does. Without --auth nothing is signed and nothing is asked.
const AUTH_ERRORS = new Set(["MissingAuthenticationTokenException", "MissingAuthenticationToken",
  "UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException",
  "SignatureDoesNotMatch", "IncompleteSignature", "IncompleteSignatureException"]);

export function credentials() {
  const raw = sessionStorage.getItem("ecsd.credentials");
  return raw ? JSON.parse(raw) : null;
}
export function setCredentials(key, secret) {
  if (key) sessionStorage.setItem("ecsd.credentials", JSON.stringify({ key, secret }));
  else sessionStorage.removeItem("ecsd.credentials");
}

const encoder = new TextEncoder();
const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
const sha256 = async (text) => hex(await crypto.subtle.digest("SHA-256", encoder.encode(text)));
async function hmac(key, text) {
  const k = await crypto.subtle.importKey("raw", typeof key === "string" ? encoder.encode(key) : key,
    { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return crypto.subtle.sign("HMAC", k, encoder.encode(text));
}

async function signed(service, headers, body) {
  const creds = credentials();
  if (!creds || !crypto.subtle) return headers;
  const amzDate = new Date().toISOString().replace(/[-:]|\.\d{3}/g, "");
  const day = amzDate.slice(0, 8);
  const all = { ...headers, host: location.host, "x-amz-date": amzDate };
  const canon = Object.fromEntries(Object.entries(all).map(([k, v]) => [k.toLowerCase(), String(v).trim().replace(/\s+/g, " ")]));
  const names = Object.keys(canon).sort();
  const request = ["POST", "/", "", names.map((n) => `${n}:${canon[n]}\n`).join(""), names.join(";"), await sha256(body)].join("\n");
  const scope = `${day}/${REGION}/${SIGNING_NAMES[service] || service}/aws4_request`;
  const toSign = ["AWS4-HMAC-SHA256", amzDate, scope, await sha256(request)].join("\n");
  let key = await hmac(`AWS4${creds.secret}`, day);
  for (const part of [REGION, SIGNING_NAMES[service] || service, "aws4_request"]) key = await hmac(key, part);
  const signature = hex(await hmac(key, toSign));
  delete all.host; // the browser sends it
  return { ...all, Authorization: `AWS4-HMAC-SHA256 Credential=${creds.key}/${scope}, SignedHeaders=${names.join(";")}, Signature=${signature}` };
}

function failed(code, message, status) {
  const err = new ApiError(code, message, status);
  if (AUTH_ERRORS.has(code)) window.dispatchEvent(new CustomEvent("ecsd:auth", { detail: err }));
  return err;
}

export class ApiError extends Error {
  constructor(code, message, status) {
    super(message || code);
    this.code = code || "Error";
    this.status = status;
  }
  toString() { return `${this.code}: ${this.message}`; }
}

/** One operation of any service: `call("ecs", "ListClusters", {})`. */
export async function call(service, operation, params = {}) {
  if (service in QUERY_VERSIONS) return query(service, operation, params);
  const target = JSON_SERVICES[service];
  if (!target) throw new ApiError("ConsoleError", `unknown service ${service}`);
  const body = JSON.stringify(params);
  const response = await fetch("/", {
    method: "POST",
    headers: await signed(service, {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `${target}.${operation}`,
    }, body),
    body,
  });
  const text = await response.text();
  let data = {};
  try { data = text ? JSON.parse(text) : {}; } catch { data = { message: text }; }
  if (!response.ok) {
    const code = String(data.__type || response.headers.get("x-amzn-errortype") || "")
      .split("#").pop().split(":")[0];
    throw failed(code, data.message || data.Message || text, response.status);
  }
  return data;
}

/** Every page of a paged operation, items under `key` concatenated. */
export async function all(service, operation, params, key, tokenIn = "nextToken", tokenOut = tokenIn) {
  let items = [];
  let token;
  for (let page = 0; page < 100; page++) {
    const data = await call(service, operation, token ? { ...params, [tokenIn]: token } : params);
    items = items.concat(data[key] || []);
    token = data[tokenOut];
    if (!token) break;
  }
  return items;
}

/** ECS describes at most 100 tasks (10 services) per call: batches, concatenated. */
export async function describeInBatches(operation, params, key, ids, size, outKey) {
  const out = [];
  for (let i = 0; i < ids.length; i += size) {
    const data = await call("ecs", operation, { ...params, [key]: ids.slice(i, i + size) });
    out.push(...(data[outKey] || []));
  }
  return out;
}

// -- the Query protocol ---------------------------------------------------------------------
function flatten(prefix, value, out) {
  if (value === undefined || value === null) return;
  if (Array.isArray(value)) {
    value.forEach((v, i) => flatten(`${prefix}.member.${i + 1}`, v, out));
  } else if (typeof value === "object") {
    for (const [k, v] of Object.entries(value)) flatten(prefix ? `${prefix}.${k}` : k, v, out);
  } else {
    out.append(prefix, String(value));
  }
}

function fromXml(node) {
  const elements = [...node.children];
  if (elements.length === 0) return node.textContent;
  if (elements.every((e) => e.tagName === "member")) return elements.map(fromXml);
  const obj = {};
  for (const e of elements) obj[e.tagName] = fromXml(e);
  return obj;
}

async function query(service, operation, params) {
  const form = new URLSearchParams();
  form.append("Action", operation);
  form.append("Version", QUERY_VERSIONS[service]);
  flatten("", params, form);
  const body = form.toString();
  const response = await fetch("/", {
    method: "POST",
    headers: await signed(service, { "Content-Type": "application/x-www-form-urlencoded; charset=utf-8" }, body),
    body,
  });
  const doc = new DOMParser().parseFromString(await response.text(), "application/xml");
  if (!response.ok) {
    const text = (tag) => doc.getElementsByTagName(tag)[0]?.textContent || "";
    throw failed(text("Code"), text("Message"), response.status);
  }
  const result = doc.getElementsByTagName(`${operation}Result`)[0];
  if (!result) return {};
  const out = fromXml(result);
  return typeof out === "string" ? {} : out;
}

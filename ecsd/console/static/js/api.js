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
  const response = await fetch("/", {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.1",
      "X-Amz-Target": `${target}.${operation}`,
    },
    body: JSON.stringify(params),
  });
  const text = await response.text();
  let data = {};
  try { data = text ? JSON.parse(text) : {}; } catch { data = { message: text }; }
  if (!response.ok) {
    const code = String(data.__type || response.headers.get("x-amzn-errortype") || "")
      .split("#").pop().split(":")[0];
    throw new ApiError(code, data.message || data.Message || text, response.status);
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
  const body = new URLSearchParams();
  body.append("Action", operation);
  body.append("Version", QUERY_VERSIONS[service]);
  flatten("", params, body);
  const response = await fetch("/", {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded; charset=utf-8" },
    body,
  });
  const doc = new DOMParser().parseFromString(await response.text(), "application/xml");
  if (!response.ok) {
    const text = (tag) => doc.getElementsByTagName(tag)[0]?.textContent || "";
    throw new ApiError(text("Code"), text("Message"), response.status);
  }
  const result = doc.getElementsByTagName(`${operation}Result`)[0];
  if (!result) return {};
  const out = fromXml(result);
  return typeof out === "string" ? {} : out;
}

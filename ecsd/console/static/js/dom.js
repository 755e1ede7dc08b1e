// Building the DOM from data without innerHTML: every value from the API (names, log
// lines, reasons) is text, never markup.

/** h("a", {href: "#/x", class: "y"}, "text", child, [children]) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === undefined || c === null || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

export const link = (href, text, attrs = {}) => h("a", { href, ...attrs }, text);

/** A timestamp from the API (epoch seconds, or an ISO string) in the browser's locale. */
export function when(t) {
  if (t === undefined || t === null || t === "") return "-";
  const d = typeof t === "number" ? new Date(t * 1000) : new Date(t);
  return isNaN(d) ? String(t) : d.toLocaleString(undefined, {
    year: "numeric", month: "short", day: "numeric",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
}

export function ago(t) {
  if (!t) return "-";
  const ms = Date.now() - (typeof t === "number" ? t * 1000 : Date.parse(t));
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} seconds ago`;
  if (s < 3600) return `${Math.round(s / 60)} minutes ago`;
  if (s < 86400) return `${Math.round(s / 3600)} hours ago`;
  return `${Math.round(s / 86400)} days ago`;
}

const KIND = {
  ACTIVE: "ok", RUNNING: "ok", HEALTHY: "ok", healthy: "ok", COMPLETED: "ok", ISSUED: "ok",
  PRIMARY: "ok", STEADY_STATE: "ok", active: "ok", available: "ok",
  STOPPED: "bad", UNHEALTHY: "bad", unhealthy: "bad", FAILED: "bad", INACTIVE: "bad",
  DEPROVISIONING: "warn", STOPPING: "warn", DRAINING: "warn", draining: "warn",
  DEACTIVATING: "warn", UNKNOWN: "warn", unused: "warn", unavailable: "warn",
  PROVISIONING: "info", PENDING: "info", ACTIVATING: "info", IN_PROGRESS: "info",
  initial: "info", STABILIZING: "info", provisioning: "info",
};

export function status(text, extra) {
  return h("span", { class: `status ${KIND[text] || ""}` }, text || "-", extra ? ` ${extra}` : "");
}

export function table(columns, rows, empty = "No resources") {
  return h("table", {},
    h("thead", {}, h("tr", {}, columns.map((c) => h("th", {}, c)))),
    h("tbody", {}, rows.length
      ? rows.map((r) => h("tr", {}, r.map((cell) => h("td", {}, cell))))
      : h("tr", {}, h("td", { class: "empty", colspan: columns.length }, empty))));
}

export function box(title, body, { counter, actions } = {}) {
  return h("section", { class: "box" },
    h("header", {}, h("h2", {}, title, counter !== undefined ? h("span", { class: "counter" }, ` (${counter})`) : ""),
      actions ? h("div", { class: "actions" }, actions) : null),
    h("div", { class: "body" }, body));
}

export function kv(pairs) {
  return h("dl", { class: "kv" }, pairs.filter(Boolean).map(([k, v]) =>
    h("div", {}, h("dt", {}, k), h("dd", {}, v === undefined || v === null || v === "" ? "-" : v))));
}

export function tabs(items, active) {
  return h("nav", { class: "tabs" }, items.map(([key, label, href]) =>
    h("a", { href, class: key === active ? "active" : null, dataset: { tab: key } }, label)));
}

export const crumbs = (...parts) => h("div", { class: "crumbs" }, parts);

/** Last part of an ARN (a task id, a cluster name). */
export const tail = (arn) => String(arn || "").split("/").pop();
/** "family:revision" of a task definition ARN. */
export const tdName = (arn) => String(arn || "").split("/").pop();

/** A small SVG line chart of [[ms, value], …] (no library: nothing is loaded from outside). */
export function lineChart(points, { width = 360, height = 120 } = {}) {
  const ns = "http://www.w3.org/2000/svg";
  const el = (tag, attrs) => { const e = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v)); return e; };
  const svg = el("svg", { viewBox: `0 0 ${width} ${height}`, width, height, class: "chart" });
  if (!points.length) {
    const t = el("text", { x: width / 2, y: height / 2, "text-anchor": "middle", fill: "#5f6b7a", "font-size": 12 });
    t.textContent = "No data points yet";
    svg.append(t);
    return svg;
  }
  const P = 24;
  const t0 = points[0][0], t1 = Math.max(points[points.length - 1][0], t0 + 1);
  const max = Math.max(1, ...points.map((p) => p[1]));
  const x = (t) => P + ((t - t0) / (t1 - t0)) * (width - 2 * P);
  const y = (v) => height - P - (v / max) * (height - 2 * P);
  svg.append(el("line", { x1: P, y1: height - P, x2: width - P, y2: height - P, stroke: "#d1d5db" }));
  const label = el("text", { x: 2, y: P - 8, "font-size": 10, fill: "#5f6b7a" });
  label.textContent = max.toFixed(max < 10 ? 1 : 0);
  svg.append(label);
  svg.append(el("polyline", { points: points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(" "), fill: "none", stroke: "#0972d3", "stroke-width": 2 }));
  return svg;
}

// The router and the live loop: the view named by the URL's hash is rendered, and
// rendered again whenever ecsd's change feed says something changed (a long poll that
// answers when a write is committed), or every 2 seconds for pages that show logs (log
// lines are not on the feed). The page changes only where the new rendering differs, so
// a task turning RUNNING or a new event shows up without a reload, and an idle page
// costs ecsd nothing.

import { h } from "./dom.js";
import { ApiError, credentials, setCredentials } from "./api.js";
import { dialog } from "./forms.js";
import * as clusters from "./views/clusters.js";
import * as cluster from "./views/cluster.js";
import * as service from "./views/service.js";
import * as task from "./views/task.js";
import * as taskdefs from "./views/taskdefs.js";
import * as others from "./views/others.js";

const REFRESH_MS = 2000;

const ROUTES = [
  [/^\/clusters$/, clusters.render, "clusters"],
  [/^\/clusters\/([^/]+)$/, cluster.render, "clusters"],
  [/^\/clusters\/([^/]+)\/services\/([^/]+)$/, service.render, "clusters"],
  [/^\/clusters\/([^/]+)\/tasks\/([^/]+)$/, task.render, "clusters"],
  [/^\/task-definitions$/, taskdefs.renderFamilies, "task-definitions"],
  [/^\/task-definitions\/([^/]+)$/, taskdefs.renderFamily, "task-definitions"],
  [/^\/task-definitions\/([^/]+)\/(\d+)$/, taskdefs.renderRevision, "task-definitions"],
  [/^\/repositories$/, others.repositories, "repositories"],
  [/^\/repositories\/(.+)$/, others.repository, "repositories"],
  [/^\/load-balancers$/, others.loadBalancers, "load-balancers"],
  [/^\/load-balancers\/([^/]+)$/, others.loadBalancer, "load-balancers"],
  [/^\/target-groups$/, others.targetGroups, "target-groups"],
  [/^\/target-groups\/([^/]+)$/, others.targetGroup, "target-groups"],
  [/^\/log-groups$/, others.logGroups, "log-groups"],
  [/^\/log-groups\/(.+)$/, others.logGroup, "log-groups"],
  [/^\/parameters$/, others.parameters, "parameters"],
  [/^\/secrets$/, others.secrets, "secrets"],
];

let generation = 0;

function parse() {
  const raw = location.hash.replace(/^#/, "") || "/clusters";
  const [path, search] = raw.split("?");
  return { path, query: new URLSearchParams(search || "") };
}

// `hint`: the ARNs the change feed says changed since the last rendering (null: unknown),
// for views that can read again only those (a page of 200 services).
async function show(first, hint = null) {
  const mine = first ? ++generation : generation;
  const { path, query } = parse();
  const view = document.getElementById("view");
  const route = ROUTES.find(([re]) => re.test(path));
  let node;
  if (!route) {
    node = h("div", {}, h("h1", {}, "Not found"), h("p", {}, `No page at ${path}.`));
  } else {
    const [re, render, section] = route;
    for (const a of document.querySelectorAll("#nav a")) {
      a.classList.toggle("active", a.dataset.section === section);
    }
    const args = re.exec(path).slice(1).map(decodeURIComponent);
    try {
      node = await render(args, query, hint);
      if (node === null) return; // the view says the changes were not about it
      if (!first) stats.refreshes += 1;
      document.getElementById("live").classList.remove("stale");
    } catch (err) {
      document.getElementById("live").classList.add("stale");
      if (!first && view.firstChild) return; // keep what is shown; try again next tick
      node = h("div", { class: "alert" }, h("h3", {}, "Could not load this page"),
        String(err instanceof ApiError ? err : err.message || err));
    }
  }
  if (mine !== generation) return; // the user moved on while this was loading
  const wrapper = h("div", {}, node);
  if (view.firstChild && view.firstChild.outerHTML === wrapper.outerHTML) return;
  keepScroll(view, () => view.replaceChildren(wrapper));
}

function keepScroll(view, fn) {
  const pres = [...view.querySelectorAll("pre")].map((p) => [p.scrollTop, p.scrollHeight - p.clientHeight - p.scrollTop < 4]);
  fn();
  view.querySelectorAll("pre").forEach((p, i) => {
    const [top, atEnd] = pres[i] || [0, true];
    p.scrollTop = atEnd ? p.scrollHeight : top; // a log followed at its end stays there
  });
}

// How often the page read the APIs again after it loaded (tests, bench/console.py).
const stats = { refreshes: 0 };
window.ecsdConsole = stats;

let busy = false;
let pending = null; // the hint of refreshes asked for while one ran: ARNs, or null for all
let waiting = false;
const merge = (a, b) => (a === null || b === null ? null : [...new Set([...a, ...b])]);
async function refresh(hint = null) {
  pending = waiting ? merge(pending, hint) : hint;
  waiting = true;
  if (busy) return;
  busy = true;
  try {
    while (waiting) {
      const h = pending;
      waiting = false;
      pending = null;
      if (!document.hidden && !document.querySelector("dialog[open]")) await show(false, h);
    }
  } finally { busy = false; }
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// The change feed: each answer means "look again"; a burst of changes is one refresh.
async function follow() {
  let seq = -1;
  for (;;) {
    try {
      const response = await fetch(`/_console/changes?after=${seq}`, { cache: "no-store" });
      const answer = await response.json();
      const changed = seq !== -1 && answer.seq !== seq;
      seq = answer.seq;
      document.getElementById("live").classList.remove("stale");
      // A burst of changes (a task's steps) is one refresh; refreshes at most every 1.5 s.
      if (changed) { await sleep(250); await refresh(answer.arns ?? null); await sleep(1250); }
    } catch {
      document.getElementById("live").classList.add("stale");
      await sleep(2000);
    }
  }
}

// Pages that show logs say so (data-poll): they are read again every 2 seconds.
setInterval(() => { if (document.querySelector("#view [data-poll]")) refresh(); }, REFRESH_MS);
// ecsd serve --auth: an API call refused for its signature asks for a key, once.
function signIn() {
  if (document.querySelector("dialog[open]")) return;
  dialog("Sign in to ecsd", [
    { name: "key", label: "Access key ID", value: credentials()?.key || "" },
    { name: "secret", label: "Secret access key", type: "password" },
  ], async (v) => { setCredentials(v.key, v.secret); setTimeout(() => show(true), 0); }, {
    submitLabel: "Sign in",
    intro: "This ecsd runs with --auth: the console signs its API calls with one of its access keys (kept in this browser tab only).",
  });
}
window.addEventListener("ecsd:auth", signIn);
document.getElementById("sign-in").addEventListener("click", (ev) => { ev.preventDefault(); signIn(); });
window.addEventListener("hashchange", () => show(true));
window.addEventListener("ecsd:refresh", () => refresh());
document.addEventListener("visibilitychange", () => { if (!document.hidden) refresh(); });
show(true);
follow();

// One task: why it stopped (in plain words), its status timeline with every timestamp,
// its containers (status, health, exit code, reason, network bindings as links), its
// address, a Logs tab per container with a live tail, and Stop.

import { call } from "../api.js";
import { h, link, status, table, box, crumbs, tabs, when, tdName, kv, tail } from "../dom.js";
import { confirmThen } from "../forms.js";
import { explain } from "../explain.js";

export async function render([cluster, id], query, hint) {
  if (Array.isArray(hint) && !hint.some((a) => a.endsWith(`/${cluster}/${id}`))) return null;
  const tab = query.get("tab") || "configuration";
  const data = await call("ecs", "DescribeTasks", { cluster, tasks: [id], include: ["TAGS"] });
  const task = (data.tasks || [])[0];
  if (!task) throw new Error(`Task ${id} not found in cluster ${cluster}.`);
  const def = (await call("ecs", "DescribeTaskDefinition", { taskDefinition: task.taskDefinitionArn })).taskDefinition;
  const base = `#/clusters/${encodeURIComponent(cluster)}/tasks/${id}`;
  const stopped = task.lastStatus === "STOPPED" || task.desiredStatus === "STOPPED";
  const logs = stopped ? await lastLines(task, def, 10) : {};
  const why = explain(task, logs);
  return h("div", {},
    crumbs(link("#/clusters", "Clusters"), link(`#/clusters/${encodeURIComponent(cluster)}?tab=tasks`, cluster), h("span", {}, id)),
    h("h1", {}, `Task ${id}`, h("div", { class: "actions" },
      h("button", { class: "danger", id: "stop-task", disabled: stopped || null, onclick: () => stopTask(cluster, id) }, "Stop"))),
    why ? explanation(why) : null,
    box("Task overview", kv([
      ["Last status", status(task.lastStatus)], ["Desired status", status(task.desiredStatus)],
      ["Health status", status(task.healthStatus || "UNKNOWN")],
      ["Task definition", link(`#/task-definitions/${encodeURIComponent(def.family)}/${def.revision}`, tdName(task.taskDefinitionArn))],
      ["Launch type", task.launchType || "-"], ["Platform version", task.platformVersion || "-"],
      ["Private IP", privateIp(task)], ["Group", task.group || "-"],
      ["CPU | Memory", `${task.cpu || "-"} | ${task.memory || "-"}`],
      stopped ? ["Stopped reason", task.stoppedReason || "-"] : null,
      stopped ? ["Stop code", task.stopCode || "-"] : null,
    ])),
    tabs([["configuration", "Configuration"], ["logs", "Logs"]].map(([k, l]) => [k, l, `${base}?tab=${k}`]), tab),
    tab === "logs" ? await logsTab(task, def, query, base) : configuration(task));
}

function privateIp(task) {
  for (const a of task.attachments || []) {
    const d = (a.details || []).find((x) => x.name === "privateIPv4Address");
    if (d) return d.value;
  }
  const c = (task.containers || []).find((x) => (x.networkInterfaces || []).length);
  return c ? c.networkInterfaces[0].privateIpv4Address : "-";
}

function explanation(why) {
  return h("section", { class: "alert", id: "why-stopped" },
    h("h3", {}, `Why this task stopped: ${why.title}`),
    h("p", {}, why.summary),
    h("p", {}, h("b", {}, "Stopped reason: "), h("code", {}, why.reason || "-"), why.code ? ` (${why.code})` : ""),
    why.causes.length ? [h("b", {}, "Likely causes"), h("ul", {}, why.causes.map((c) => h("li", {}, c)))] : null,
    why.containers.map((c) => h("div", { class: "container-why" },
      h("b", {}, `Container ${c.name}`), c.lines.length ? h("ul", {}, c.lines.map((l) => h("li", {}, l))) : null,
      c.log.length ? [h("div", {}, "Its last log lines:"), h("pre", { class: "log" }, c.log.join("\n"))] : null)),
    h("b", {}, "What to check next"), h("ul", {}, why.next.map((n) => h("li", {}, n))));
}

function timeline(task) {
  const steps = [
    ["Created", task.createdAt], ["Pull started", task.pullStartedAt], ["Pull stopped", task.pullStoppedAt],
    ["Connectivity", task.connectivityAt], ["Started", task.startedAt], ["Stopping", task.stoppingAt],
    ["Execution stopped", task.executionStoppedAt], ["Stopped", task.stoppedAt],
  ].filter(([, t]) => t);
  return h("ol", { class: "timeline", id: "timeline" }, steps.map(([what, t]) =>
    h("li", {}, h("span", { class: "when" }, when(t)), h("span", {}, what))));
}

function bindings(c) {
  const out = (c.networkBindings || []).map((b) => {
    const host = !b.bindIP || b.bindIP === "0.0.0.0" ? location.hostname : b.bindIP;
    const url = `http://${host}:${b.hostPort}/`;
    return h("div", {}, h("a", { href: url, target: "_blank", rel: "noopener" }, url), ` → ${b.containerPort}/${b.protocol || "tcp"}`);
  });
  return out.length ? out : "-";
}

function configuration(task) {
  return h("div", {},
    box("Containers", table(["Name", "Image", "Last status", "Health status", "Exit code", "Reason", "Network bindings"],
      (task.containers || []).map((c) => [c.name, h("span", { class: "mono" }, c.image), status(c.lastStatus),
        status(c.healthStatus || "UNKNOWN"), c.exitCode ?? "-", c.reason || "-", bindings(c)])),
    { counter: (task.containers || []).length }),
    box("Status timeline", timeline(task)));
}

function streamOf(task, container) {
  const o = container.logConfiguration?.logDriver === "awslogs" ? container.logConfiguration.options || {} : null;
  if (!o || !o["awslogs-group"]) return null;
  const prefix = o["awslogs-stream-prefix"];
  const id = tail(task.taskArn);
  return { group: o["awslogs-group"], stream: prefix ? `${prefix}/${container.name}/${id}` : null };
}

async function lastLines(task, def, limit) {
  const out = {};
  for (const c of def.containerDefinitions) {
    const where = streamOf(task, c);
    if (!where || !where.stream) continue;
    try {
      const events = (await call("logs", "GetLogEvents", { logGroupName: where.group, logStreamName: where.stream, limit, startFromHead: false })).events || [];
      out[c.name] = events.map((e) => e.message);
    } catch { /* no stream yet (it failed before starting): nothing to show */ }
  }
  return out;
}

async function logsTab(task, def, query, base) {
  const names = def.containerDefinitions.map((c) => c.name);
  const name = query.get("container") || names[0];
  const c = def.containerDefinitions.find((d) => d.name === name) || def.containerDefinitions[0];
  const where = streamOf(task, c);
  const chooser = h("span", { class: "segmented", id: "log-container" }, names.map((n) =>
    h("a", { href: `${base}?tab=logs&container=${encodeURIComponent(n)}`, class: n === c.name ? "active" : null }, n)));
  if (!where || !where.stream) {
    return box("Logs", h("p", {}, `Container ${c.name} does not send its logs to CloudWatch Logs (awslogs with a stream prefix).`), { actions: chooser });
  }
  let events = [];
  try {
    events = (await call("logs", "GetLogEvents", { logGroupName: where.group, logStreamName: where.stream, limit: 500, startFromHead: false })).events || [];
  } catch (err) {
    return box("Logs", h("p", { "data-poll": "1" }, `No log stream ${where.stream} in ${where.group} yet (${err.code}).`), { actions: chooser });
  }
  return box(`Logs: ${c.name}`, h("pre", { class: "log", id: "log-lines", "data-poll": "1" },
    events.map((e) => `${new Date(e.timestamp).toISOString()}  ${e.message}`).join("\n") || "(no lines yet)"),
  { counter: events.length, actions: [chooser, link(`#/log-groups/${encodeURIComponent(where.group)}?stream=${encodeURIComponent(where.stream)}`, "View in CloudWatch")] });
}

function stopTask(cluster, id) {
  confirmThen(`Stop task ${id}?`, async () => {
    await call("ecs", "StopTask", { cluster, task: id });
  });
}

// Task definitions: families, a family's revisions, one revision's JSON; create a new
// revision from JSON (or a small form), deregister, Run task.

import { call, all } from "../api.js";
import { h, link, status, table, box, crumbs, when, kv } from "../dom.js";
import { dialog, confirmThen, list } from "../forms.js";

// What DescribeTaskDefinition answers that RegisterTaskDefinition does not take.
const READ_ONLY = ["taskDefinitionArn", "revision", "status", "requiresAttributes", "compatibilities",
  "registeredAt", "registeredBy", "deregisteredAt"];

export async function renderFamilies() {
  const families = await all("ecs", "ListTaskDefinitionFamilies", { status: "ACTIVE" }, "families");
  return h("div", {},
    crumbs(h("span", {}, "Amazon Elastic Container Service")),
    h("h1", {}, "Task definitions"),
    box("Task definitions", table(["Task definition", "Status of last revision"],
      families.sort().map((f) => [link(`#/task-definitions/${encodeURIComponent(f)}`, f), status("ACTIVE")]),
      "No task definitions"), {
      counter: families.length,
      actions: [
        h("button", { id: "create-td-form", onclick: createFromForm }, "Create new task definition"),
        h("button", { class: "primary", id: "create-td-json", onclick: () => createFromJson() }, "Create new task definition with JSON"),
      ],
    }));
}

export async function renderFamily([family]) {
  const arns = await all("ecs", "ListTaskDefinitions", { familyPrefix: family, sort: "DESC" }, "taskDefinitionArns");
  const mine = arns.filter((a) => a.split("/").pop().split(":")[0] === family);
  return h("div", {},
    crumbs(link("#/task-definitions", "Task definitions"), h("span", {}, family)),
    h("h1", {}, family),
    box("Revisions", table(["Revision", "Status"], mine.map((a) => {
      const rev = a.split(":").pop();
      return [link(`#/task-definitions/${encodeURIComponent(family)}/${rev}`, `${family}:${rev}`), status("ACTIVE")];
    }), "No active revisions"), { counter: mine.length }));
}

export async function renderRevision([family, revision]) {
  const def = (await call("ecs", "DescribeTaskDefinition", { taskDefinition: `${family}:${revision}`, include: ["TAGS"] })).taskDefinition;
  return h("div", {},
    crumbs(link("#/task-definitions", "Task definitions"), link(`#/task-definitions/${encodeURIComponent(family)}`, family), h("span", {}, revision)),
    h("h1", {}, `${family}:${revision}`, h("div", { class: "actions" },
      h("button", { class: "primary", id: "run-task", disabled: def.status !== "ACTIVE" || null, onclick: () => runTask(def) }, "Run task"),
      h("button", { id: "new-revision", onclick: () => createFromJson(def) }, "Create new revision"),
      h("button", { class: "danger", id: "deregister", disabled: def.status !== "ACTIVE" || null, onclick: () => deregister(def) }, "Deregister"))),
    box("Overview", kv([
      ["ARN", def.taskDefinitionArn], ["Status", status(def.status)], ["Registered at", when(def.registeredAt)],
      ["Launch type", (def.requiresCompatibilities || []).join(", ") || "-"], ["Network mode", def.networkMode || "bridge"],
      ["Task size", `${def.cpu || "-"} CPU units | ${def.memory || "-"} MiB`],
      ["Task role", def.taskRoleArn || "-"], ["Task execution role", def.executionRoleArn || "-"],
    ])),
    box("Containers", table(["Name", "Image", "Essential", "Ports", "Log"], def.containerDefinitions.map((c) => [
      c.name, h("span", { class: "mono" }, c.image), c.essential === false ? "No" : "Yes",
      (c.portMappings || []).map((p) => `${p.containerPort}/${p.protocol || "tcp"}`).join(", ") || "-",
      c.logConfiguration?.logDriver || "-"]))),
    box("JSON", h("pre", { id: "td-json" }, JSON.stringify(def, null, 2))));
}

function registrable(def) {
  const copy = { ...def };
  for (const k of READ_ONLY) delete copy[k];
  return copy;
}

function createFromJson(def) {
  const start = def ? registrable(def) : {
    family: "", requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", cpu: "256", memory: "512",
    containerDefinitions: [{ name: "app", image: "", essential: true, portMappings: [{ containerPort: 80 }] }],
  };
  dialog(def ? `Create new revision of ${def.family}` : "Create new task definition with JSON", [
    { name: "json", label: "Task definition JSON", type: "textarea", value: JSON.stringify(start, null, 2) },
  ], async (v) => {
    let body;
    try { body = JSON.parse(v.json); } catch (e) { throw new Error(`The JSON does not parse: ${e.message}`); }
    const made = (await call("ecs", "RegisterTaskDefinition", body)).taskDefinition;
    location.hash = `#/task-definitions/${encodeURIComponent(made.family)}/${made.revision}`;
  });
}

// The console's form, as seed 004 fills it: a family, one container, its port, the size.
function createFromForm() {
  dialog("Create new task definition", [
    { name: "family", label: "Task definition family" },
    { name: "size", label: "Task size (CPU | memory)", type: "select", value: "512|1024", options: [
      ["256|512", ".25 vCPU | 0.5 GB"], ["512|1024", ".5 vCPU | 1 GB"], ["1024|2048", "1 vCPU | 2 GB"], ["2048|4096", "2 vCPU | 4 GB"]] },
    { name: "name", label: "Container name" },
    { name: "image", label: "Image URI" },
    { name: "port", label: "Container port", type: "number", value: 80 },
    { name: "executionRoleArn", label: "Task execution role ARN (optional)" },
    { name: "logs", label: "Send logs to CloudWatch (awslogs, /ecs/<family>)", type: "checkbox", value: true },
  ], async (v) => {
    const [cpu, memory] = v.size.split("|");
    const container = { name: v.name, image: v.image, essential: true,
      portMappings: v.port ? [{ containerPort: Number(v.port), protocol: "tcp" }] : [] };
    if (v.logs) {
      container.logConfiguration = { logDriver: "awslogs", options: {
        "awslogs-group": `/ecs/${v.family}`, "awslogs-region": document.getElementById("region").textContent,
        "awslogs-stream-prefix": "ecs", "awslogs-create-group": "true" } };
    }
    const body = { family: v.family, requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", cpu, memory,
      containerDefinitions: [container] };
    if (v.executionRoleArn) body.executionRoleArn = v.executionRoleArn;
    const made = (await call("ecs", "RegisterTaskDefinition", body)).taskDefinition;
    location.hash = `#/task-definitions/${encodeURIComponent(made.family)}/${made.revision}`;
  });
}

async function runTask(def) {
  const clusters = (await all("ecs", "ListClusters", {}, "clusterArns")).map((a) => a.split("/").pop());
  dialog(`Run task: ${def.family}:${def.revision}`, [
    { name: "cluster", label: "Cluster", type: "select", options: clusters.map((c) => [c, c]) },
    { name: "count", label: "Desired tasks", type: "number", value: 1 },
    { name: "launchType", label: "Launch type", type: "select", value: "FARGATE", options: [["FARGATE", "FARGATE"]] },
    { name: "subnets", label: "Subnets", value: "subnet-00000000000000001" },
    { name: "securityGroups", label: "Security groups", value: "" },
    { name: "publicIp", label: "Public IP", type: "select", value: "ENABLED", options: [["ENABLED", "Turned on"], ["DISABLED", "Turned off"]] },
  ], async (v) => {
    const params = { cluster: v.cluster, taskDefinition: `${def.family}:${def.revision}`, count: Number(v.count), launchType: v.launchType };
    if (def.networkMode === "awsvpc") {
      params.networkConfiguration = { awsvpcConfiguration: { subnets: list(v.subnets), securityGroups: list(v.securityGroups), assignPublicIp: v.publicIp } };
    }
    const out = await call("ecs", "RunTask", params);
    if ((out.failures || []).length) throw new Error(out.failures.map((f) => `${f.arn || ""} ${f.reason}`).join("\n"));
    location.hash = `#/clusters/${encodeURIComponent(v.cluster)}/tasks/${out.tasks[0].taskArn.split("/").pop()}`;
  }, { submitLabel: "Create" });
}

function deregister(def) {
  confirmThen(`Deregister ${def.family}:${def.revision}?`, async () => {
    await call("ecs", "DeregisterTaskDefinition", { taskDefinition: `${def.family}:${def.revision}` });
  });
}

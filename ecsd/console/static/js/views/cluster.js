// One cluster: its Services and Tasks tabs (tasks filtered Running / Stopped / All, as in
// the console's task list), create service, delete cluster.

import { call, all, describeInBatches } from "../api.js";
import { h, link, status, table, box, crumbs, tabs, when, tail, tdName, kv } from "../dom.js";
import { dialog, confirmThen, list } from "../forms.js";

const PAGE = 100;

/** Whether the change feed's ARNs (null: unknown) can concern this cluster's pages. */
export const touches = (hint, cluster) =>
  !Array.isArray(hint) || hint.some((a) => a.includes(`/${cluster}/`) || a.endsWith(`:cluster/${cluster}`) || a.includes(":targetgroup/"));

export async function render([name], query, hint) {
  if (!touches(hint, name)) return null;
  const tab = query.get("tab") || "services";
  const [found] = (await call("ecs", "DescribeClusters", { clusters: [name] })).clusters;
  if (!found) throw new Error(`Cluster ${name} not found.`);
  const base = `#/clusters/${encodeURIComponent(name)}`;
  const body = tab === "tasks" ? await tasksTab(name, query) : await servicesTab(name, hint);
  return h("div", {},
    crumbs(link("#/clusters", "Clusters"), h("span", {}, name)),
    h("h1", {}, name, h("div", { class: "actions" },
      h("button", { class: "danger", id: "delete-cluster", onclick: () => deleteCluster(name) }, "Delete cluster"))),
    box("Cluster overview", kv([
      ["ARN", found.clusterArn], ["Status", status(found.status)],
      ["Services", String(found.activeServicesCount)],
      ["Tasks", `${found.pendingTasksCount} Pending | ${found.runningTasksCount} Running`],
    ])),
    tabs([["services", "Services", `${base}?tab=services`], ["tasks", "Tasks", `${base}?tab=tasks`]], tab),
    body);
}

// The services last described, per cluster: a refresh the change feed says is about a
// few services describes those again (and any new one), not all of them.
const described = new Map();

async function servicesTab(cluster, hint) {
  const arns = await all("ecs", "ListServices", { cluster, maxResults: 100 }, "serviceArns");
  let known = described.get(cluster);
  if (!known || hint === null || hint === undefined) known = new Map();
  const stale = arns.filter((a) => !known.has(a) || hint?.includes(a));
  for (const s of await describeInBatches("DescribeServices", { cluster }, "services", stale, 10, "services")) {
    known.set(s.serviceArn, s);
  }
  for (const a of [...known.keys()]) if (!arns.includes(a)) known.delete(a);
  described.set(cluster, known);
  const services = arns.map((a) => known.get(a)).filter(Boolean);
  services.sort((a, b) => a.serviceName.localeCompare(b.serviceName));
  const rows = services.map((s) => {
    const primary = (s.deployments || []).find((d) => d.status === "PRIMARY") || {};
    return [
      link(`#/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(s.serviceName)}`, s.serviceName),
      status(s.status),
      s.schedulingStrategy || "REPLICA",
      `${s.runningCount}/${s.desiredCount} Tasks running`,
      primary.rolloutState ? status(primary.rolloutState === "COMPLETED" ? "COMPLETED" : primary.rolloutState) : "-",
      tdName(s.taskDefinition),
      s.launchType || (s.capacityProviderStrategy || []).map((c) => c.capacityProvider).join(", ") || "-",
    ];
  });
  return box("Services", table(
    ["Service name", "Status", "Service type", "Deployments and tasks", "Last deployment", "Task definition", "Launch type"],
    rows, "No services"), {
    counter: services.length,
    actions: h("button", { class: "primary", id: "create-service", onclick: () => createService(cluster) }, "Create"),
  });
}

async function tasksTab(cluster, query) {
  const filter = (query.get("status") || "RUNNING").toUpperCase();
  const page = Math.max(0, Number(query.get("page") || 0));
  const base = `#/clusters/${encodeURIComponent(cluster)}?tab=tasks`;
  let arns = [];
  for (const desired of filter === "ALL" ? ["RUNNING", "STOPPED"] : [filter]) {
    arns = arns.concat(await all("ecs", "ListTasks", { cluster, desiredStatus: desired, maxResults: 100 }, "taskArns"));
  }
  const shown = arns.slice(page * PAGE, (page + 1) * PAGE);
  const tasks = await describeInBatches("DescribeTasks", { cluster }, "tasks", shown, 100, "tasks");
  return box("Tasks", tasksTable(cluster, tasks), {
    counter: arns.length,
    actions: [
      h("span", { class: "segmented", id: "task-filter" },
        [["RUNNING", "Running"], ["STOPPED", "Stopped"], ["ALL", "All"]].map(([k, label]) =>
          h("a", { href: `${base}&status=${k}`, class: k === filter ? "active" : null }, label))),
      page > 0 ? link(`${base}&status=${filter}&page=${page - 1}`, "‹ Previous") : null,
      arns.length > (page + 1) * PAGE ? link(`${base}&status=${filter}&page=${page + 1}`, "Next ›") : null,
    ],
  });
}

/** The task list of a cluster or a service (also used by the service page). */
export function tasksTable(cluster, tasks) {
  tasks.sort((a, b) => (b.createdAt || 0) - (a.createdAt || 0));
  const rows = tasks.map((t) => [
    link(`#/clusters/${encodeURIComponent(cluster)}/tasks/${tail(t.taskArn)}`, tail(t.taskArn), { class: "task-link" }),
    t.lastStatus === "STOPPED" && t.stoppedReason
      ? h("span", {}, status("STOPPED"), h("span", { class: "stop-reason" }, ` (${t.stoppedReason})`))
      : status(t.lastStatus),
    status(t.desiredStatus),
    link(`#/task-definitions/${encodeURIComponent(tdName(t.taskDefinitionArn).split(":")[0])}/${tdName(t.taskDefinitionArn).split(":")[1]}`, tdName(t.taskDefinitionArn)),
    status(t.healthStatus || "UNKNOWN"),
    when(t.startedAt), when(t.stoppedAt),
    t.group || t.startedBy || "-",
    t.launchType || "-",
  ]);
  return table(["Task", "Last status", "Desired status", "Task definition", "Health status",
    "Started at", "Stopped at", "Group", "Launch type"], rows, "No tasks");
}

async function deleteCluster(name) {
  confirmThen(`Delete cluster ${name}?`, async () => {
    await call("ecs", "DeleteCluster", { cluster: name });
    location.hash = "#/clusters";
  });
}

/** The console's create-service form: FARGATE, family + revision, name, count, network, LB. */
export async function createService(cluster) {
  const families = await all("ecs", "ListTaskDefinitionFamilies", { status: "ACTIVE" }, "families");
  let groups = [];
  try { groups = (await call("elbv2", "DescribeTargetGroups", {})).TargetGroups || []; } catch { groups = []; }
  dialog("Create service", [
    { name: "launchType", label: "Launch type", type: "select", value: "FARGATE", options: [["FARGATE", "FARGATE"]] },
    { name: "family", label: "Task definition family", type: "select", options: families.map((f) => [f, f]) },
    { name: "revision", label: "Task definition revision", value: "LATEST", hint: "A number, or LATEST." },
    { name: "serviceName", label: "Service name" },
    { name: "desiredCount", label: "Desired tasks", type: "number", value: 1 },
    { name: "subnets", label: "Subnets", value: "subnet-00000000000000001", hint: "Comma-separated subnet ids." },
    { name: "securityGroups", label: "Security groups", value: "", hint: "Comma-separated security group ids." },
    { name: "publicIp", label: "Public IP", type: "select", value: "ENABLED", options: [["ENABLED", "Turned on"], ["DISABLED", "Turned off"]] },
    { name: "targetGroup", label: "Load balancing: target group", type: "select", value: "",
      options: [["", "None"], ...groups.map((g) => [g.TargetGroupArn, g.TargetGroupName])] },
    { name: "container", label: "Load balancing: container to load balance", placeholder: "name:port (first container with a port when blank)" },
  ], async (v) => {
    const td = v.revision && v.revision.toUpperCase() !== "LATEST" ? `${v.family}:${v.revision}` : v.family;
    const params = {
      cluster, serviceName: v.serviceName, taskDefinition: td, desiredCount: Number(v.desiredCount),
      launchType: v.launchType,
      networkConfiguration: { awsvpcConfiguration: {
        subnets: list(v.subnets), securityGroups: list(v.securityGroups), assignPublicIp: v.publicIp } },
    };
    if (v.targetGroup) params.loadBalancers = [await lbTarget(td, v.targetGroup, v.container)];
    await call("ecs", "CreateService", params);
  });
}

async function lbTarget(td, targetGroupArn, given) {
  if (given) {
    const [containerName, port] = given.split(":");
    return { targetGroupArn, containerName, containerPort: Number(port) };
  }
  const def = (await call("ecs", "DescribeTaskDefinition", { taskDefinition: td })).taskDefinition;
  const c = def.containerDefinitions.find((d) => (d.portMappings || []).length);
  if (!c) throw new Error("No container of this task definition has a port mapping to load balance.");
  return { targetGroupArn, containerName: c.name, containerPort: c.portMappings[0].containerPort };
}

// One service: Health (counts, deployments at a glance, target health), Tasks,
// Deployments (each deployment's rollout with a picture of old and new tasks over time),
// Events, Configuration; update (desired count, revision, force new deployment) and delete.

import { call, all, describeInBatches } from "../api.js";
import { h, link, status, table, box, crumbs, tabs, when, tdName, kv, ago, lineChart } from "../dom.js";
import { dialog } from "../forms.js";
import { tasksTable, touches } from "./cluster.js";

export async function render([cluster, name], query, hint) {
  if (!touches(hint, cluster)) return null;
  const tab = query.get("tab") || "health";
  const [svc] = (await call("ecs", "DescribeServices", { cluster, services: [name] })).services;
  if (!svc) throw new Error(`Service ${name} not found in cluster ${cluster}.`);
  const base = `#/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(name)}`;
  const body = {
    health: () => healthTab(cluster, svc),
    tasks: () => tasksTab(cluster, svc, query),
    deployments: () => deploymentsTab(cluster, svc),
    events: () => eventsTab(svc),
    configuration: () => configurationTab(svc),
    autoscaling: () => autoscalingTab(cluster, svc),
  }[tab] || (() => healthTab(svc));
  return h("div", {},
    crumbs(link("#/clusters", "Clusters"), link(`#/clusters/${encodeURIComponent(cluster)}`, cluster), h("span", {}, name)),
    h("h1", {}, name, h("div", { class: "actions" },
      h("button", { id: "update-service", onclick: () => updateService(cluster, svc) }, "Update service"),
      h("button", { class: "danger", id: "delete-service", onclick: () => deleteService(cluster, svc) }, "Delete service"))),
    box("Service overview", kv([
      ["Status", status(svc.status)],
      ["Desired tasks", String(svc.desiredCount)],
      ["Running tasks", String(svc.runningCount)],
      ["Pending tasks", String(svc.pendingCount)],
      ["Task definition", link(`#/task-definitions/${encodeURIComponent(tdName(svc.taskDefinition).split(":")[0])}/${tdName(svc.taskDefinition).split(":")[1]}`, tdName(svc.taskDefinition))],
      ["Launch type", svc.launchType || "-"],
    ])),
    tabs([["health", "Health and metrics"], ["tasks", "Tasks"], ["deployments", "Deployments"],
      ["events", "Events"], ["configuration", "Configuration and networking"], ["autoscaling", "Service auto scaling"]].map(([k, l]) => [k, l, `${base}?tab=${k}`]), tab),
    await body());
}

async function healthTab(cluster, svc) {
  const parts = [box("Deployments", deploymentsTable(svc)), await metrics(cluster, svc)];
  for (const lb of svc.loadBalancers || []) {
    if (!lb.targetGroupArn) continue;
    try {
      const health = (await call("elbv2", "DescribeTargetHealth", { TargetGroupArn: lb.targetGroupArn })).TargetHealthDescriptions || [];
      parts.push(box(`Target health: ${lb.targetGroupArn.split("/").slice(-2, -1)[0]}`, table(
        ["Target", "Port", "Health status", "Reason", "Description"],
        health.map((t) => [t.Target.Id, t.Target.Port, status(t.TargetHealth.State), t.TargetHealth.Reason || "-", t.TargetHealth.Description || "-"]),
        "No registered targets")));
    } catch { /* the load balancer API may not answer: the rest of the page still does */ }
  }
  return h("div", {}, parts);
}

async function tasksTab(cluster, svc, query) {
  const filter = (query.get("status") || "RUNNING").toUpperCase();
  let arns = [];
  for (const desired of filter === "ALL" ? ["RUNNING", "STOPPED"] : [filter]) {
    arns = arns.concat(await all("ecs", "ListTasks", { cluster, serviceName: svc.serviceName, desiredStatus: desired }, "taskArns"));
  }
  const tasks = await describeInBatches("DescribeTasks", { cluster }, "tasks", arns.slice(0, 100), 100, "tasks");
  const base = `#/clusters/${encodeURIComponent(cluster)}/services/${encodeURIComponent(svc.serviceName)}?tab=tasks`;
  return box("Tasks", tasksTable(cluster, tasks), {
    counter: arns.length,
    actions: h("span", { class: "segmented", id: "task-filter" },
      [["RUNNING", "Running"], ["STOPPED", "Stopped"], ["ALL", "All"]].map(([k, label]) =>
        h("a", { href: `${base}&status=${k}`, class: k === filter ? "active" : null }, label))),
  });
}

function deploymentsTable(svc) {
  return table(["Deployment", "Status", "Rollout state", "Task definition", "Desired", "Pending", "Running", "Failed", "Created", "Reason"],
    (svc.deployments || []).map((d) => [d.id, status(d.status), status(d.rolloutState || "-"), tdName(d.taskDefinition),
      String(d.desiredCount), String(d.pendingCount), String(d.runningCount), String(d.failedTasks || 0),
      when(d.createdAt), d.rolloutStateReason || "-"]), "No deployments");
}

async function deploymentsTab(cluster, svc) {
  return h("div", {}, box("Deployments", deploymentsTable(svc)),
    box("Rollout: running tasks of each deployment over time", await rollout(cluster, svc)));
}

// Old and new running tasks over time, from the tasks themselves: each service task was
// started by its deployment (startedBy) and ran from startedAt to stoppedAt, so the
// picture is the same whenever the page is opened (ECS keeps stopped tasks about an hour).
async function rollout(cluster, svc) {
  let arns = [];
  for (const desired of ["RUNNING", "STOPPED"]) {
    arns = arns.concat(await all("ecs", "ListTasks", { cluster, serviceName: svc.serviceName, desiredStatus: desired }, "taskArns"));
  }
  const tasks = await describeInBatches("DescribeTasks", { cluster }, "tasks", arns.slice(0, 300), 100, "tasks");
  const runs = tasks.filter((t) => t.startedAt).map((t) => ({ id: t.startedBy || "-", from: t.startedAt, to: t.stoppedAt || null }));
  if (!runs.length) return h("p", {}, "No task of this service has run yet.");
  const now = Date.now() / 1000;
  const t0 = Math.min(...runs.map((r) => r.from));
  const t1 = Math.max(now, t0 + 1);
  const ids = [...new Set((svc.deployments || []).map((d) => d.id).concat(runs.map((r) => r.id)))].filter((id) => runs.some((r) => r.id === id));
  const times = [...new Set(runs.flatMap((r) => [r.from, r.to || t1]).concat([t0, t1]))].sort((a, b) => a - b);
  const count = (id, t) => runs.filter((r) => r.id === id && r.from <= t && (r.to === null || r.to > t)).length;
  const W = 720, H = 180, P = 28;
  const max = Math.max(1, ...ids.flatMap((id) => times.map((t) => count(id, t))));
  const x = (t) => P + ((t - t0) / (t1 - t0)) * (W - 2 * P);
  const y = (v) => H - P - (v / max) * (H - 2 * P);
  const colours = ["#0972d3", "#ff9900", "#037f0c", "#d91515", "#8d6605"];
  const ns = "http://www.w3.org/2000/svg";
  const el = (tag, attrs) => { const e = document.createElementNS(ns, tag); for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v)); return e; };
  const svg = el("svg", { viewBox: `0 0 ${W} ${H}`, width: W, class: "rollout", id: "rollout" });
  svg.append(el("line", { x1: P, y1: H - P, x2: W - P, y2: H - P, stroke: "#7d8998" }));
  for (let v = 0; v <= max; v++) {
    const label = el("text", { x: 4, y: y(v) + 4, "font-size": 10, fill: "#5f6b7a" });
    label.textContent = String(v);
    svg.append(label);
  }
  ids.forEach((id, i) => {
    // A step line: the count holds until the next change.
    let pts = "";
    let last = null;
    for (const t of times) {
      const v = count(id, t);
      if (last !== null) pts += `${x(t).toFixed(1)},${y(last).toFixed(1)} `;
      pts += `${x(t).toFixed(1)},${y(v).toFixed(1)} `;
      last = v;
    }
    svg.append(el("polyline", { points: pts.trim(), fill: "none", stroke: colours[i % colours.length], "stroke-width": 2 }));
  });
  const span = Math.round(t1 - t0);
  const legend = h("div", {}, ids.map((id, i) => h("span", { style: `color:${colours[i % colours.length]};margin-right:16px` },
    `■ ${id}${(svc.deployments || []).find((d) => d.id === id)?.status === "PRIMARY" ? " (primary)" : ""}`)),
  h("span", { class: "hint" }, ` — the last ${span} s`));
  return h("div", {}, svg, legend);
}

function eventsTab(svc) {
  return box("Events", table(["Started at", "Message"],
    (svc.events || []).map((e) => [h("span", { title: ago(e.createdAt) }, when(e.createdAt)), e.message]), "No events"),
  { counter: (svc.events || []).length });
}

function configurationTab(svc) {
  const net = svc.networkConfiguration?.awsvpcConfiguration || {};
  const dc = svc.deploymentConfiguration || {};
  return h("div", {},
    box("Configuration", kv([
      ["ARN", svc.serviceArn], ["Created", when(svc.createdAt)],
      ["Scheduling strategy", svc.schedulingStrategy], ["Deployment controller", svc.deploymentController?.type || "ECS"],
      ["Minimum healthy percent", String(dc.minimumHealthyPercent ?? "-")],
      ["Maximum percent", String(dc.maximumPercent ?? "-")],
      ["Circuit breaker", dc.deploymentCircuitBreaker ? `${dc.deploymentCircuitBreaker.enable ? "on" : "off"}${dc.deploymentCircuitBreaker.rollback ? ", rollback" : ""}` : "-"],
      ["Health check grace period", svc.healthCheckGracePeriodSeconds !== undefined ? `${svc.healthCheckGracePeriodSeconds} s` : "-"],
    ])),
    box("Networking", kv([
      ["Subnets", (net.subnets || []).join(", ")], ["Security groups", (net.securityGroups || []).join(", ")],
      ["Public IP", net.assignPublicIp || "-"],
    ])),
    box("Load balancing", table(["Target group", "Container", "Port"],
      (svc.loadBalancers || []).map((l) => [l.targetGroupArn || l.loadBalancerName || "-", l.containerName, String(l.containerPort)]),
      "No load balancing")));
}

function updateService(cluster, svc) {
  const [family, revision] = tdName(svc.taskDefinition).split(":");
  dialog(`Update ${svc.serviceName}`, [
    { name: "desiredCount", label: "Desired tasks", type: "number", value: svc.desiredCount },
    { name: "revision", label: `Task definition revision (${family})`, value: revision, hint: "A number, or LATEST." },
    { name: "force", label: "Force new deployment", type: "checkbox", value: false },
    { name: "minHealthy", label: "Min running tasks %", type: "number", value: svc.deploymentConfiguration?.minimumHealthyPercent ?? 100 },
    { name: "maxPercent", label: "Max running tasks %", type: "number", value: svc.deploymentConfiguration?.maximumPercent ?? 200 },
  ], async (v) => {
    const td = String(v.revision).toUpperCase() === "LATEST" ? family : `${family}:${v.revision}`;
    await call("ecs", "UpdateService", {
      cluster, service: svc.serviceName, desiredCount: Number(v.desiredCount), taskDefinition: td,
      forceNewDeployment: Boolean(v.force),
      deploymentConfiguration: { ...(svc.deploymentConfiguration || {}),
        minimumHealthyPercent: Number(v.minHealthy), maximumPercent: Number(v.maxPercent) },
    });
  }, { submitLabel: "Update" });
}

function deleteService(cluster, svc) {
  dialog(`Delete service ${svc.serviceName}?`, [
    { name: "force", label: "Force delete (scale to 0 first is not needed)", type: "checkbox", value: true },
  ], async (v) => {
    await call("ecs", "DeleteService", { cluster, service: svc.serviceName, force: Boolean(v.force) });
    location.hash = `#/clusters/${encodeURIComponent(cluster)}`;
  }, { submitLabel: "Delete" });
}


// CPU and memory utilization (AWS/ECS, per ClusterName + ServiceName) and, behind a load
// balancer, request counts (AWS/ApplicationELB), as the last hour of 1-minute averages.
async function metrics(cluster, svc) {
  const end = new Date();
  const start = new Date(end.getTime() - 3600 * 1000);
  const series = async (namespace, name, dimensions, stat) => {
    const out = await call("cloudwatch", "GetMetricStatistics", {
      Namespace: namespace, MetricName: name, Dimensions: dimensions,
      StartTime: start.toISOString(), EndTime: end.toISOString(), Period: 60, Statistics: [stat],
    });
    const points = Array.isArray(out.Datapoints) ? out.Datapoints : [];
    return points.map((p) => [Date.parse(p.Timestamp), Number(p[stat])]).sort((a, b) => a[0] - b[0]);
  };
  const dims = [{ Name: "ClusterName", Value: cluster }, { Name: "ServiceName", Value: svc.serviceName }];
  try {
    const charts = [
      ["CPU utilization (%)", await series("AWS/ECS", "CPUUtilization", dims, "Average")],
      ["Memory utilization (%)", await series("AWS/ECS", "MemoryUtilization", dims, "Average")],
    ];
    // RequestCount per target group has AWS's LoadBalancer + TargetGroup dimensions: the
    // group's load balancer comes from DescribeTargetGroups.
    let groups = [];
    if ((svc.loadBalancers || []).length) {
      try { groups = (await call("elbv2", "DescribeTargetGroups", {})).TargetGroups || []; } catch { groups = []; }
      if (!Array.isArray(groups)) groups = [groups];
    }
    for (const lb of svc.loadBalancers || []) {
      if (!lb.targetGroupArn) continue;
      const tg = lb.targetGroupArn.split(":").pop(); // targetgroup/<name>/<id>
      const group = groups.find((g) => g.TargetGroupArn === lb.targetGroupArn) || {};
      const lbs = Array.isArray(group.LoadBalancerArns) ? group.LoadBalancerArns : group.LoadBalancerArns ? [group.LoadBalancerArns] : [];
      const dimensions = [{ Name: "TargetGroup", Value: tg }];
      if (lbs.length) dimensions.unshift({ Name: "LoadBalancer", Value: lbs[0].split(":loadbalancer/").pop() });
      charts.push([`Requests per minute (${tg.split("/")[1]})`, await series("AWS/ApplicationELB", "RequestCount", dimensions, "Sum")]);
    }
    return box("Metrics (last hour)", h("div", { class: "charts", id: "metrics" },
      charts.map(([title, points]) => h("figure", {}, h("figcaption", {}, title), lineChart(points)))));
  } catch (err) {
    return box("Metrics", h("p", {}, `CloudWatch metrics could not be read: ${err}`));
  }
}

async function autoscalingTab(cluster, svc) {
  const resource = `service/${cluster}/${svc.serviceName}`;
  let targets;
  try {
    targets = (await call("application-autoscaling", "DescribeScalableTargets", { ServiceNamespace: "ecs", ResourceIds: [resource] })).ScalableTargets || [];
  } catch (err) {
    return box("Service auto scaling", h("p", {}, `Application Auto Scaling could not be read: ${err}`));
  }
  if (!targets.length) return box("Service auto scaling", h("p", {}, "This service has no scalable target: its desired count changes only when you change it."));
  const t = targets[0];
  const policies = (await call("application-autoscaling", "DescribeScalingPolicies", { ServiceNamespace: "ecs", ResourceId: resource })).ScalingPolicies || [];
  const activities = (await call("application-autoscaling", "DescribeScalingActivities", { ServiceNamespace: "ecs", ResourceId: resource, MaxResults: 50 })).ScalingActivities || [];
  return h("div", {},
    box("Scalable target", kv([["Minimum tasks", String(t.MinCapacity)], ["Maximum tasks", String(t.MaxCapacity)],
      ["Scaling suspended", Object.entries(t.SuspendedState || {}).filter(([, v]) => v).map(([k]) => k).join(", ") || "No"]])),
    box("Scaling policies", table(["Policy name", "Type", "Target / steps", "Alarms"], policies.map((p) => [
      p.PolicyName, p.PolicyType,
      p.TargetTrackingScalingPolicyConfiguration
        ? `${p.TargetTrackingScalingPolicyConfiguration.PredefinedMetricSpecification?.PredefinedMetricType || "custom metric"} at ${p.TargetTrackingScalingPolicyConfiguration.TargetValue}`
        : `${(p.StepScalingPolicyConfiguration?.StepAdjustments || []).length} steps`,
      (p.Alarms || []).map((a) => a.AlarmName).join(", ") || "-"]), "No scaling policies"), { counter: policies.length }),
    box("Scaling activities", table(["Start time", "Status", "Description", "Cause"], activities.map((a) => [
      when(a.StartTime), status(a.StatusCode === "Successful" ? "COMPLETED" : a.StatusCode), a.Description, a.Cause]), "No activities"),
    { counter: activities.length }));
}

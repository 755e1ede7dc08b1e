// Clusters: the list (as the console's Clusters page), create and delete.

import { call, all } from "../api.js";
import { h, link, status, table, box, crumbs } from "../dom.js";
import { dialog } from "../forms.js";

export async function render() {
  const arns = await all("ecs", "ListClusters", {}, "clusterArns");
  const clusters = arns.length
    ? (await call("ecs", "DescribeClusters", { clusters: arns, include: ["SETTINGS", "STATISTICS"] })).clusters
    : [];
  clusters.sort((a, b) => a.clusterName.localeCompare(b.clusterName));
  const rows = clusters.map((c) => [
    link(`#/clusters/${encodeURIComponent(c.clusterName)}`, c.clusterName),
    status(c.status),
    String(c.activeServicesCount),
    `${c.pendingTasksCount} Pending | ${c.runningTasksCount} Running`,
    String(c.registeredContainerInstancesCount),
    (c.settings || []).find((s) => s.name === "containerInsights")?.value || "disabled",
    (c.capacityProviders || []).join(", ") || "No default found",
  ]);
  return h("div", {},
    crumbs(h("span", {}, "Amazon Elastic Container Service")),
    h("h1", {}, "Clusters"),
    box("Clusters", table(
      ["Cluster", "Status", "Services", "Tasks", "Container instances", "CloudWatch monitoring", "Capacity provider"],
      rows, "No clusters"), {
      counter: clusters.length,
      actions: h("button", { class: "primary", id: "create-cluster", onclick: createCluster }, "Create cluster"),
    }));
}

function createCluster() {
  dialog("Create cluster", [
    { name: "clusterName", label: "Cluster name", hint: "Up to 255 letters (uppercase and lowercase), numbers, hyphens, and underscores." },
    { name: "infrastructure", label: "Infrastructure", type: "select", value: "FARGATE",
      options: [["FARGATE", "AWS Fargate (serverless)"]] },
    { name: "insights", label: "Container Insights", type: "checkbox", value: false },
  ], async (v) => {
    await call("ecs", "CreateCluster", {
      clusterName: v.clusterName,
      capacityProviders: ["FARGATE", "FARGATE_SPOT"],
      settings: [{ name: "containerInsights", value: v.insights ? "enabled" : "disabled" }],
    });
    location.hash = `#/clusters/${encodeURIComponent(v.clusterName)}`;
  });
}

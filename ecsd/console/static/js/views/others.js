// The screens around ECS: ECR repositories and images (with the push commands), load
// balancers with listeners and rules, target groups with each target's health, log groups
// with streams, events, a filter and a live tail, SSM parameters and Secrets Manager
// secrets (values hidden unless asked, as the AWS console does).

import { call, all } from "../api.js";
import { h, link, status, table, box, crumbs, when, kv, ago } from "../dom.js";
import { dialog } from "../forms.js";

const arr = (x) => (Array.isArray(x) ? x : x === undefined || x === null || x === "" ? [] : [x]);

// -- ECR -------------------------------------------------------------------------------------
export async function repositories() {
  const repos = await all("ecr", "DescribeRepositories", {}, "repositories");
  return h("div", {}, crumbs(h("span", {}, "Amazon ECR")), h("h1", {}, "Private repositories"),
    box("Private repositories", table(["Repository name", "URI", "Created at", "Tag immutability", "Scan on push"],
      repos.map((r) => [link(`#/repositories/${encodeURIComponent(r.repositoryName)}`, r.repositoryName),
        h("span", { class: "mono" }, r.repositoryUri), when(r.createdAt), r.imageTagMutability,
        r.imageScanningConfiguration?.scanOnPush ? "Enabled" : "Disabled"]), "No repositories"), {
      counter: repos.length,
      actions: h("button", { class: "primary", id: "create-repository", onclick: createRepository }, "Create repository"),
    }));
}

function createRepository() {
  dialog("Create repository", [
    { name: "name", label: "Repository name" },
    { name: "mutability", label: "Tag immutability", type: "select", value: "MUTABLE", options: [["MUTABLE", "Mutable"], ["IMMUTABLE", "Immutable"]] },
  ], async (v) => {
    await call("ecr", "CreateRepository", { repositoryName: v.name, imageTagMutability: v.mutability });
    location.hash = `#/repositories/${encodeURIComponent(v.name)}`;
  });
}

export async function repository([name]) {
  const [repo] = (await call("ecr", "DescribeRepositories", { repositoryNames: [name] })).repositories;
  const images = await all("ecr", "DescribeImages", { repositoryName: name }, "imageDetails");
  images.sort((a, b) => (b.imagePushedAt || 0) - (a.imagePushedAt || 0));
  const uri = repo.repositoryUri;
  const endpoint = location.origin;
  const push = [
    `aws --endpoint-url ${endpoint} ecr get-login-password | docker login --username AWS --password-stdin ${uri.split("/")[0]}`,
    `docker build -t ${name} .`,
    `docker tag ${name}:latest ${uri}:latest`,
    `docker push ${uri}:latest`,
  ].join("\n");
  return h("div", {}, crumbs(link("#/repositories", "Private repositories"), h("span", {}, name)), h("h1", {}, name),
    box("Push commands", h("pre", { id: "push-commands" }, push)),
    box("Images", table(["Image tag", "Digest", "Size (MB)", "Pushed at"], images.map((i) => [
      (i.imageTags || []).join(", ") || "<untagged>", h("span", { class: "mono" }, i.imageDigest),
      ((i.imageSizeInBytes || 0) / 1048576).toFixed(2), when(i.imagePushedAt)]), "No images"),
    { counter: images.length }));
}

// -- ELBv2 -----------------------------------------------------------------------------------
export async function loadBalancers() {
  const lbs = arr((await call("elbv2", "DescribeLoadBalancers", {})).LoadBalancers);
  return h("div", {}, crumbs(h("span", {}, "EC2")), h("h1", {}, "Load balancers"),
    box("Load balancers", table(["Name", "DNS name", "State", "Type", "Scheme", "Created"],
      lbs.map((lb) => [link(`#/load-balancers/${encodeURIComponent(lb.LoadBalancerName)}`, lb.LoadBalancerName),
        h("span", { class: "mono" }, lb.DNSName), status(lb.State?.Code), lb.Type, lb.Scheme, when(lb.CreatedTime)]),
      "No load balancers"), {
      counter: lbs.length,
      actions: h("button", { class: "primary", id: "create-load-balancer", onclick: createLoadBalancer }, "Create Application Load Balancer"),
    }));
}

// The console's ALB form, as seed 004 fills it: a name, subnets and security groups, and
// one listener whose default action forwards to a target group.
async function createLoadBalancer() {
  const groups = arr((await call("elbv2", "DescribeTargetGroups", {})).TargetGroups);
  dialog("Create Application Load Balancer", [
    { name: "name", label: "Load balancer name" },
    { name: "scheme", label: "Scheme", type: "select", value: "internet-facing", options: [["internet-facing", "Internet-facing"], ["internal", "Internal"]] },
    { name: "subnets", label: "Subnets", value: "subnet-00000000000000001, subnet-00000000000000002", hint: "Comma-separated; at least two availability zones." },
    { name: "securityGroups", label: "Security groups", value: "" },
    { name: "protocol", label: "Listener protocol", type: "select", value: "HTTP", options: [["HTTP", "HTTP"]] },
    { name: "port", label: "Listener port", type: "number", value: 80 },
    { name: "targetGroup", label: "Default action: forward to", type: "select", options: groups.map((g) => [g.TargetGroupArn, g.TargetGroupName]) },
  ], async (v) => {
    const params = { Name: v.name, Scheme: v.scheme, Type: "application", Subnets: v.subnets.split(/[\s,]+/).filter(Boolean) };
    const sgs = v.securityGroups.split(/[\s,]+/).filter(Boolean);
    if (sgs.length) params.SecurityGroups = sgs;
    const lb = arr((await call("elbv2", "CreateLoadBalancer", params)).LoadBalancers)[0];
    if (v.targetGroup) {
      await call("elbv2", "CreateListener", { LoadBalancerArn: lb.LoadBalancerArn, Protocol: v.protocol, Port: Number(v.port),
        DefaultActions: [{ Type: "forward", TargetGroupArn: v.targetGroup }] });
    }
    location.hash = `#/load-balancers/${encodeURIComponent(v.name)}`;
  });
}

export async function loadBalancer([name]) {
  const [lb] = arr((await call("elbv2", "DescribeLoadBalancers", { Names: [name] })).LoadBalancers);
  const listeners = arr((await call("elbv2", "DescribeListeners", { LoadBalancerArn: lb.LoadBalancerArn })).Listeners);
  const parts = [];
  for (const l of listeners) {
    const rules = arr((await call("elbv2", "DescribeRules", { ListenerArn: l.ListenerArn })).Rules);
    parts.push(box(`Listener ${l.Protocol}:${l.Port}`, table(["Priority", "Conditions", "Actions"], rules.map((r) => [
      r.Priority,
      arr(r.Conditions).map((c) => `${c.Field}: ${arr(c.Values || c.PathPatternConfig?.Values || c.HostHeaderConfig?.Values).join(", ")}`).join("; ") || "-",
      arr(r.Actions).map(describeAction).join("; ")]))));
  }
  const port = (l) => l.Port === "80" || l.Port === 80 ? "" : `:${l.Port}`;
  return h("div", {}, crumbs(link("#/load-balancers", "Load balancers"), h("span", {}, name)), h("h1", {}, name),
    box("Details", kv([["DNS name", lb.DNSName], ["State", status(lb.State?.Code)], ["ARN", lb.LoadBalancerArn],
      ["Listeners", listeners.map((l) => h("div", {}, link(`${String(l.Protocol).toLowerCase()}://${lb.DNSName}${port(l)}/`, `${l.Protocol}:${l.Port}`)))]])),
    parts);
}

function describeAction(a) {
  if (a.Type === "forward") {
    const groups = arr(a.ForwardConfig?.TargetGroups).map((g) => `${g.TargetGroupArn.split("/").slice(-2, -1)[0]} (${g.Weight ?? 1})`);
    return `Forward to ${groups.join(", ") || (a.TargetGroupArn || "").split("/").slice(-2, -1)[0]}`;
  }
  if (a.Type === "redirect") return `Redirect to ${a.RedirectConfig?.Protocol}://${a.RedirectConfig?.Host}:${a.RedirectConfig?.Port}${a.RedirectConfig?.Path} (${a.RedirectConfig?.StatusCode})`;
  if (a.Type === "fixed-response") return `Return fixed response ${a.FixedResponseConfig?.StatusCode}`;
  return a.Type;
}

export async function targetGroups() {
  const groups = arr((await call("elbv2", "DescribeTargetGroups", {})).TargetGroups);
  return h("div", {}, crumbs(h("span", {}, "EC2")), h("h1", {}, "Target groups"),
    box("Target groups", table(["Name", "Port", "Protocol", "Target type", "Load balancer", "VPC ID"],
      groups.map((g) => [link(`#/target-groups/${encodeURIComponent(g.TargetGroupName)}`, g.TargetGroupName), g.Port, g.Protocol,
        g.TargetType, arr(g.LoadBalancerArns).map((a) => a.split("/").slice(-2, -1)[0]).join(", ") || "None associated", g.VpcId || "-"]),
      "No target groups"), {
      counter: groups.length,
      actions: h("button", { class: "primary", id: "create-target-group", onclick: createTargetGroup }, "Create target group"),
    }));
}

function createTargetGroup() {
  dialog("Create target group", [
    { name: "type", label: "Target type", type: "select", value: "ip", options: [["ip", "IP addresses (Fargate tasks)"], ["instance", "Instances"]] },
    { name: "name", label: "Target group name" },
    { name: "protocol", label: "Protocol", type: "select", value: "HTTP", options: [["HTTP", "HTTP"]] },
    { name: "port", label: "Port", type: "number", value: 80 },
    { name: "vpc", label: "VPC", value: "vpc-00000000000000001" },
    { name: "path", label: "Health check path", value: "/" },
    { name: "interval", label: "Health check interval (seconds)", type: "number", value: 30 },
    { name: "timeout", label: "Health check timeout (seconds)", type: "number", value: 5 },
    { name: "healthy", label: "Healthy threshold", type: "number", value: 5 },
    { name: "unhealthy", label: "Unhealthy threshold", type: "number", value: 2 },
    { name: "matcher", label: "Success codes", value: "200" },
  ], async (v) => {
    await call("elbv2", "CreateTargetGroup", {
      Name: v.name, TargetType: v.type, Protocol: v.protocol, Port: Number(v.port), VpcId: v.vpc,
      HealthCheckPath: v.path, HealthCheckIntervalSeconds: Number(v.interval), HealthCheckTimeoutSeconds: Number(v.timeout),
      HealthyThresholdCount: Number(v.healthy), UnhealthyThresholdCount: Number(v.unhealthy), Matcher: { HttpCode: v.matcher },
    });
    location.hash = `#/target-groups/${encodeURIComponent(v.name)}`;
  });
}

export async function targetGroup([name]) {
  const [g] = arr((await call("elbv2", "DescribeTargetGroups", { Names: [name] })).TargetGroups);
  const health = arr((await call("elbv2", "DescribeTargetHealth", { TargetGroupArn: g.TargetGroupArn })).TargetHealthDescriptions);
  return h("div", {}, crumbs(link("#/target-groups", "Target groups"), h("span", {}, name)), h("h1", {}, name),
    box("Details", kv([["ARN", g.TargetGroupArn], ["Protocol : Port", `${g.Protocol}:${g.Port}`], ["Target type", g.TargetType],
      ["Health check", `${g.HealthCheckProtocol} ${g.HealthCheckPath || ""} every ${g.HealthCheckIntervalSeconds} s, healthy after ${g.HealthyThresholdCount}, unhealthy after ${g.UnhealthyThresholdCount}`],
      ["Success codes", g.Matcher?.HttpCode || "-"]])),
    box("Registered targets", table(["Target", "Port", "Health status", "Health status details", "Description"],
      health.map((t) => [t.Target.Id, t.Target.Port, status(t.TargetHealth.State), t.TargetHealth.Reason || "-", t.TargetHealth.Description || "-"]),
      "No registered targets"), { counter: health.length }));
}

// -- CloudWatch Logs -------------------------------------------------------------------------
export async function logGroups() {
  const groups = await all("logs", "DescribeLogGroups", {}, "logGroups");
  return h("div", {}, crumbs(h("span", {}, "CloudWatch")), h("h1", {}, "Log groups"),
    box("Log groups", table(["Log group", "Retention", "Stored bytes", "Creation time"],
      groups.map((g) => [link(`#/log-groups/${encodeURIComponent(g.logGroupName)}`, g.logGroupName),
        g.retentionInDays ? `${g.retentionInDays} days` : "Never expire", String(g.storedBytes || 0), when((g.creationTime || 0) / 1000)]),
      "No log groups"), { counter: groups.length }));
}

export async function logGroup([name], query) {
  const stream = query.get("stream");
  const filter = query.get("filter") || "";
  const base = `#/log-groups/${encodeURIComponent(name)}`;
  if (!stream && !filter) {
    const streams = (await call("logs", "DescribeLogStreams", { logGroupName: name, orderBy: "LastEventTime", descending: true, limit: 50 })).logStreams || [];
    return h("div", {}, crumbs(link("#/log-groups", "Log groups"), h("span", {}, name)), h("h1", {}, name),
      filterBox(base, ""),
      box("Log streams", table(["Log stream", "Last event time"], streams.map((s) => [
        link(`${base}?stream=${encodeURIComponent(s.logStreamName)}`, s.logStreamName),
        s.lastEventTimestamp ? ago(s.lastEventTimestamp / 1000) : "-"]), "No log streams"), { counter: streams.length }));
  }
  const params = { logGroupName: name, limit: 500 };
  if (stream) params.logStreamNames = [stream];
  if (filter) params.filterPattern = filter;
  const events = (await call("logs", "FilterLogEvents", params)).events || [];
  return h("div", {}, crumbs(link("#/log-groups", "Log groups"), link(base, name), h("span", {}, stream || "search")),
    h("h1", {}, stream || name), filterBox(base + (stream ? `?stream=${encodeURIComponent(stream)}` : ""), filter),
    box("Log events (live)", h("pre", { class: "log", id: "log-events", "data-poll": "1" },
      events.map((e) => `${new Date(e.timestamp).toISOString()}  ${e.message}`).join("\n") || "(no events)"), { counter: events.length }));
}

function filterBox(base, value) {
  const input = h("input", { type: "search", id: "log-filter", value, placeholder: "Filter events (CloudWatch filter pattern)" });
  const go = (ev) => {
    ev.preventDefault();
    const sep = base.includes("?") ? "&" : "?";
    location.hash = input.value ? `${base}${sep}filter=${encodeURIComponent(input.value)}` : base;
  };
  return h("form", { class: "field", onsubmit: go }, input);
}

// -- SSM and Secrets Manager -----------------------------------------------------------------
export async function parameters() {
  const params = await all("ssm", "DescribeParameters", {}, "Parameters", "NextToken");
  return h("div", {}, crumbs(h("span", {}, "Systems Manager")), h("h1", {}, "Parameter Store"),
    box("My parameters", table(["Name", "Tier", "Type", "Version", "Last modified", "Value"], params.map((p) => [
      p.Name, p.Tier || "Standard", p.Type, String(p.Version), when(p.LastModifiedDate),
      h("button", { class: "show-value", onclick: () => showParameter(p.Name) }, "Show value")]), "No parameters"),
    { counter: params.length }));
}

async function showParameter(name) {
  const p = (await call("ssm", "GetParameter", { Name: name, WithDecryption: true })).Parameter;
  dialog(name, [{ name: "value", label: "Value", type: "textarea", value: p.Value }], async () => {}, { submitLabel: "Close" });
}

export async function secrets() {
  const list = await all("secretsmanager", "ListSecrets", {}, "SecretList", "NextToken");
  return h("div", {}, crumbs(h("span", {}, "Secrets Manager")), h("h1", {}, "Secrets"),
    box("Secrets", table(["Secret name", "Description", "Last retrieved", "Last changed", "Value"], list.map((s) => [
      s.Name, s.Description || "-", when(s.LastAccessedDate), when(s.LastChangedDate),
      h("button", { class: "show-value", onclick: () => showSecret(s.ARN, s.Name) }, "Retrieve secret value")]), "No secrets"),
    { counter: list.length }));
}

async function showSecret(arn, name) {
  const v = await call("secretsmanager", "GetSecretValue", { SecretId: arn });
  dialog(name, [{ name: "value", label: "Secret value", type: "textarea", value: v.SecretString ?? "(binary)" }], async () => {}, { submitLabel: "Close" });
}

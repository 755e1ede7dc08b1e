"""Seed 003 (the blog series' part 3: DNS, certificates, ALB, secrets, ECS), shaped as
examples/terraform/seed-003: a Route53 zone, an ACM certificate for the zone and its
wildcard validated by DNS records, an ALB with HTTPS:443 (the certificate), an
HTTP→HTTPS redirect and a listener rule, blue and green target groups, an IAM task role
with an SSM policy, an SSM SecureString, a log group, a task definition rendered with
templatefile() and a service with the CODE_DEPLOY controller. The files themselves apply
against a real `ecsd serve`; a real container serves over TLS verified against ecsd's
CA (the secret and the template's environment in its Docker environment), the rule
answers /healthz, the redirect answers 301, a re-plan shows no change, and destroy
leaves nothing behind."""

from __future__ import annotations

import http.client
import json
import socket
import ssl
import subprocess
import time
import urllib.request
from typing import Any

from ecsd.lb.ports import bind_port_for

REGION = "ap-northeast-1"
HOST = "app.test.example.com"


def https_get(ca_pem: str, port: int, path: str = "/", timeout: float = 60.0) -> tuple[int, str]:
    """GET `path` over TLS to the listener on loopback with SNI `HOST`, the certificate
    verified against ecsd's CA; retried until a healthy target answers (503 before)."""
    ctx = ssl.create_default_context(cadata=ca_pem)
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            raw = socket.create_connection(("127.0.0.1", port), timeout=5)
            conn = http.client.HTTPSConnection(HOST, port, context=ctx, timeout=5)
            conn.sock = ctx.wrap_socket(raw, server_hostname=HOST)
            conn.request("GET", path)
            resp = conn.getresponse()
            body = resp.read().decode()
            conn.close()
            if resp.status == 200:
                return resp.status, body
            last = resp.status
        except OSError as exc:
            last = exc
        time.sleep(1)
    raise AssertionError(f"https://{HOST}:{port}{path} not served within {timeout:g} s: {last}")


def docker_containers_of(ecs: Any, cluster: str) -> list[dict[str, Any]]:
    """`docker inspect` of the running tasks' app containers (by their runtime ids)."""
    arns = ecs.list_tasks(cluster=cluster, desiredStatus="RUNNING")["taskArns"]
    tasks = ecs.describe_tasks(cluster=cluster, tasks=arns)["tasks"]
    ids = [c["runtimeId"] for t in tasks for c in t["containers"] if c.get("runtimeId")]
    out = subprocess.run(["docker", "inspect", *ids], capture_output=True, text=True, check=True)
    return list(json.loads(out.stdout))


def test_seed_003_applies_serves_tls_replans_and_destroys(
    terraform_example: Any, client: Any, ecsd: Any, docker_engine: None
) -> None:
    run = terraform_example("seed-003")
    run.init()
    run.apply()

    ecs, elbv2, acm = (client(s, REGION) for s in ("ecs", "elbv2", "acm"))
    [cert] = acm.list_certificates()["CertificateSummaryList"]
    assert cert["DomainName"] == "test.example.com" and cert["Status"] == "ISSUED"
    service = ecs.describe_services(cluster="app", services=["app"])["services"][0]
    assert service["deploymentController"] == {"type": "CODE_DEPLOY"}
    [task_set] = service["taskSets"]
    assert task_set["loadBalancers"][0]["containerName"] == "web"

    with urllib.request.urlopen(f"{ecsd.url}/_ecsd/ca.pem", timeout=5) as resp:
        ca_pem = resp.read().decode()
    status, body = https_get(ca_pem, bind_port_for(443))
    assert "hello from ecsd-test" in body
    assert https_get(ca_pem, bind_port_for(443), "/healthz")[1] == "ok"  # the listener rule
    [container] = docker_containers_of(ecs, "app")
    env = container["Config"]["Env"]
    # The SecureString reached the container as its secret; the template's environment too.
    assert "DB_PASSWORD=change-me" in env and "APP_ENV=staging" in env
    lb = elbv2.describe_load_balancers(Names=["app"])["LoadBalancers"][0]
    plain = http.client.HTTPConnection("127.0.0.1", bind_port_for(80), timeout=5)
    plain.request("GET", "/x", headers={"Host": lb["DNSName"]})
    redirect = plain.getresponse()
    assert redirect.status == 301
    assert redirect.getheader("Location", "").startswith("https://")

    run.replan()
    run.destroy()

    assert ecs.list_clusters()["clusterArns"] == []
    assert elbv2.describe_load_balancers()["LoadBalancers"] == []
    assert elbv2.describe_target_groups()["TargetGroups"] == []
    assert acm.list_certificates()["CertificateSummaryList"] == []
    assert client("route53", REGION).list_hosted_zones()["HostedZones"] == []
    assert client("ssm", REGION).describe_parameters()["Parameters"] == []
    assert client("logs", REGION).describe_log_groups()["logGroups"] == []
    roles = client("iam", REGION).list_roles()["Roles"]
    assert [r["RoleName"] for r in roles if r["RoleName"] == "app-task"] == []

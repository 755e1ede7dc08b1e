"""Seed 004 in the console, in a real browser against a real `ecsd serve`: an ECR
repository from the form and the push commands it shows (run with the docker CLI), a
task definition from the form (.5 vCPU / 1 GB, container port 80), a target group and an
ALB with a listener from their forms, a cluster and a service behind the load balancer,
the target turning healthy on the service's page, the page served through the load
balancer, and the desired count set to 0."""

from __future__ import annotations

import base64
import re
import subprocess
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from ecsd.lb.ports import bind_port_for

from .conftest import shot

pytestmark = pytest.mark.usefixtures("docker_engine")


def _docker(config: Path, *args: str, stdin: str | None = None) -> None:
    out = subprocess.run(
        ["docker", "--config", str(config), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, f"docker {' '.join(args)}: {out.stdout}{out.stderr}"


def _submit(page) -> None:
    """Submit the open form; it closes once the API said yes (else its error fails)."""
    page.click("dialog button[type=submit]")
    try:
        expect(page.locator("dialog")).to_have_count(0)
    except AssertionError:
        raise AssertionError(page.locator("dialog .form-error").inner_text()) from None


def test_seed_004_service_behind_a_load_balancer_from_the_console(page, client, tmp_path):
    base = page.base_url
    # ECR: the repository from the form, then the push commands it shows.
    page.goto(f"{base}/_console/#/repositories")
    page.click("#create-repository")
    page.fill("#f-name", "test-repos")
    _submit(page)
    commands = page.locator("#push-commands")
    expect(commands).to_contain_text("docker push")
    uri = re.search(r"docker push (\S+):latest", commands.inner_text()).group(1)
    token = client("ecr").get_authorization_token()["authorizationData"][0]
    password = base64.b64decode(token["authorizationToken"]).decode().split(":", 1)[1]
    _docker(
        tmp_path,
        "login",
        "--username",
        "AWS",
        "--password-stdin",
        uri.split("/")[0],
        stdin=password,
    )
    _docker(tmp_path, "tag", "ecsd-test/web:latest", f"{uri}:latest")
    _docker(tmp_path, "push", f"{uri}:latest")
    expect(page.locator("#view tbody")).to_contain_text("latest")  # live, no reload
    shot(page, "ecr-repository")
    # The task definition from the form.
    page.goto(f"{base}/_console/#/task-definitions")
    page.click("#create-td-form")
    page.fill("#f-family", "test-task")
    page.select_option("#f-size", "512|1024")
    page.fill("#f-name", "web")
    page.fill("#f-image", f"{uri}:latest")
    page.fill("#f-port", "80")
    page.fill("#f-executionRoleArn", "arn:aws:iam::000000000000:role/ecsTaskExecutionRole")
    _submit(page)
    expect(page.locator("h1")).to_contain_text("test-task:1")
    expect(page.locator("#td-json")).to_contain_text('"containerPort": 80')
    shot(page, "task-definition")
    # The target group and the load balancer with its listener.
    page.goto(f"{base}/_console/#/target-groups")
    page.click("#create-target-group")
    page.fill("#f-name", "test-tg")
    page.fill("#f-interval", "5")
    page.fill("#f-timeout", "2")
    page.fill("#f-healthy", "2")
    _submit(page)
    page.goto(f"{base}/_console/#/load-balancers")
    page.click("#create-load-balancer")
    page.fill("#f-name", "test-alb")
    page.select_option("#f-targetGroup", label="test-tg")
    _submit(page)
    expect(page.locator("#view")).to_contain_text("HTTP:80")
    dns = client("elbv2").describe_load_balancers(Names=["test-alb"])["LoadBalancers"][0]["DNSName"]
    shot(page, "load-balancer")
    # The cluster and the service behind the load balancer.
    page.goto(f"{base}/_console/#/clusters")
    page.click("#create-cluster")
    page.fill("#f-clusterName", "test-cluster")
    _submit(page)
    page.click("#create-service")
    page.select_option("#f-family", "test-task")
    page.fill("#f-serviceName", "test-service")
    page.fill("#f-desiredCount", "1")
    page.select_option("#f-targetGroup", label="test-tg")
    _submit(page)
    page.get_by_role("link", name="test-service").click()
    health = page.locator("#view")
    expect(health).to_contain_text("healthy", timeout=60_000)
    # The service's metrics, read from CloudWatch (plots; empty until ECS publishes).
    expect(page.locator("#metrics figcaption")).to_contain_text(
        ["CPU utilization (%)", "Memory utilization (%)", "Requests per minute (test-tg)"]
    )
    shot(page, "service-health")
    # Served through the load balancer (by its DNS name, on the port it binds).
    port = bind_port_for(80)
    request = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": dns})
    with urllib.request.urlopen(request, timeout=10) as resp:
        assert b"hello from ecsd-test/busybox" in resp.read()
    # Service auto scaling, as the console's tab shows it (set up with the API).
    scaling = client("application-autoscaling")
    resource = "service/test-cluster/test-service"
    scaling.register_scalable_target(
        ServiceNamespace="ecs",
        ResourceId=resource,
        ScalableDimension="ecs:service:DesiredCount",
        MinCapacity=1,
        MaxCapacity=3,
    )
    scaling.put_scaling_policy(
        PolicyName="cpu50",
        ServiceNamespace="ecs",
        ResourceId=resource,
        ScalableDimension="ecs:service:DesiredCount",
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 50.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
            },
        },
    )
    page.locator(".tabs").get_by_role("link", name="Service auto scaling").click()
    tab = page.locator("#view")
    expect(tab).to_contain_text("ECSServiceAverageCPUUtilization at 50")
    expect(tab).to_contain_text("TargetTracking-service/test-cluster/test-service-AlarmHigh")
    expect(tab).to_contain_text("Maximum tasks3")
    shot(page, "service-auto-scaling")
    page.locator(".tabs").get_by_role("link", name="Health and metrics").click()
    # The desired count to 0, from the update form.
    page.click("#update-service")
    page.fill("#f-desiredCount", "0")
    _submit(page)
    expect(page.locator("#view")).to_contain_text("Running tasks0", timeout=60_000)
    svc = client("ecs").describe_services(cluster="test-cluster", services=["test-service"])
    assert svc["services"][0]["desiredCount"] == 0

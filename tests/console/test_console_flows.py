"""The tutorials' console flows in a real browser against a real `ecsd serve` and real
containers: seed 000 (a cluster and a service from the console's forms, the task going
RUNNING and its containers HEALTHY without a reload, each container's logs), the
stopped-task explanations for a pull failure and an exit code, an API refusal shown in
the form as the API words it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from scenarios.taskutil import NETWORK, awslogs, register, run

from .conftest import shot

pytestmark = pytest.mark.usefixtures("docker_engine")

SERVE = "echo booting web; mkdir -p /w && echo ok > /w/index.html && exec httpd -f -p 8080 -h /w"
HEALTH = {
    "command": ["CMD-SHELL", "test -f /w/index.html"],
    "interval": 5,
    "timeout": 2,
    "retries": 2,
    "startPeriod": 0,
}


def _console(page, path: str = "") -> None:
    page.goto(f"{page.base_url}/_console/#{path}")


def test_seed_000_cluster_and_service_from_the_console(page, client):
    ecs = client("ecs")
    # The console opens at ecsd's root.
    page.goto(f"{page.base_url}/")
    expect(page).to_have_url(re.compile(r"/_console/"))
    expect(page.locator("h1")).to_have_text("Clusters")
    shot(page, "clusters-empty")
    # Create the cluster from the form ("networking only": Fargate).
    page.click("#create-cluster")
    page.fill("#f-clusterName", "zenn-clone-cluster")
    page.click("dialog button[type=submit]")
    expect(page.locator("h1")).to_contain_text("zenn-clone-cluster")
    assert (
        ecs.describe_clusters(clusters=["zenn-clone-cluster"])["clusters"][0]["status"] == "ACTIVE"
    )
    # Two containers with health checks, as the tutorial's rails + nginx task.
    register(
        ecs,
        "zenn-clone-task-backend",
        [
            {
                "name": "rails",
                "command": ["sh", "-c", SERVE],
                "healthCheck": HEALTH,
                "portMappings": [{"containerPort": 8080}],
                "logConfiguration": awslogs("/ecs/backend", "backend"),
            },
            {
                "name": "nginx",
                "command": ["sh", "-c", "echo nginx up; " + SERVE.replace("8080", "8081")],
                "healthCheck": HEALTH,
                "logConfiguration": awslogs("/ecs/backend", "backend"),
            },
        ],
    )
    # The service from the console's form: FARGATE, family, latest revision, 1 task.
    page.click("#create-service")
    page.select_option("#f-family", "zenn-clone-task-backend")
    page.fill("#f-serviceName", "zenn-clone-backend-service")
    page.fill("#f-desiredCount", "1")
    page.fill("#f-subnets", "subnet-0123456789abcdef0, subnet-0123456789abcdef1")
    page.click("dialog button[type=submit]")
    row = page.locator("tr", has_text="zenn-clone-backend-service")
    expect(row).to_be_visible()
    shot(page, "cluster-services")
    row.get_by_role("link", name="zenn-clone-backend-service").click()
    page.get_by_role("link", name="Tasks", exact=True).click()
    # Live: the task turns RUNNING and HEALTHY with no reload.
    url = page.url
    expect(page.locator("#view tbody tr").first).to_contain_text("RUNNING", timeout=30_000)
    expect(page.locator("#view tbody tr").first).to_contain_text("HEALTHY", timeout=30_000)
    assert page.url == url
    shot(page, "service-tasks")
    page.locator("a.task-link").first.click()
    containers = page.locator("tr", has_text="rails")
    expect(containers).to_contain_text("RUNNING")
    expect(containers).to_contain_text("HEALTHY")
    expect(page.locator("#timeline")).to_contain_text("Started")
    shot(page, "task-detail")
    # Each container's logs, in its Logs tab.
    page.get_by_role("link", name="Logs", exact=True).click()
    expect(page.locator("#log-lines")).to_contain_text("booting web", timeout=20_000)
    page.locator("#log-container").get_by_role("link", name="nginx").click()
    expect(page.locator("#log-lines")).to_contain_text("nginx up", timeout=20_000)
    shot(page, "task-logs")
    # Events and deployments of the service.
    page.locator(".crumbs a").nth(1).click()  # the cluster
    page.locator(".tabs").get_by_role("link", name="Services").click()
    page.get_by_role("link", name="zenn-clone-backend-service").click()
    page.get_by_role("link", name="Events").click()
    expect(page.locator("#view")).to_contain_text("has reached a steady state", timeout=20_000)
    shot(page, "service-events")


def test_a_stopped_task_explains_itself(page, client):
    ecs = client("ecs")
    ecs.create_cluster(clusterName="default")
    pull = register(ecs, "badimage", [{"name": "app", "image": "127.0.0.1:9/nope/app:1"}])
    crash = register(
        ecs,
        "crash",
        [
            {
                "name": "app",
                "command": [
                    "sh",
                    "-c",
                    "echo starting; echo 'could not connect to db' >&2; exit 3",
                ],
                "logConfiguration": awslogs("/ecs/crash", "ecs"),
            }
        ],
    )
    pulled, crashed = run(ecs, pull), run(ecs, crash)
    _console(page, "/clusters/default?tab=tasks&status=STOPPED")
    # The list shows STOPPED (reason), as the console's task list does.
    expect(page.locator("#view")).to_contain_text(
        "STOPPED (CannotPullContainerError", timeout=30_000
    )
    expect(page.locator("#view")).to_contain_text(
        "STOPPED (Essential container in task exited)", timeout=30_000
    )
    shot(page, "tasks-stopped")
    _console(page, f"/clusters/default/tasks/{pulled.rsplit('/', 1)[1]}")
    why = page.locator("#why-stopped")
    expect(why).to_contain_text("The image could not be pulled")
    expect(why).to_contain_text(
        "Most likely, by the reason's own words: The registry cannot be reached"
    )
    expect(why).to_contain_text("docker pull")
    shot(page, "why-pull-failure")
    _console(page, f"/clusters/default/tasks/{crashed.rsplit('/', 1)[1]}")
    why = page.locator("#why-stopped")
    expect(why).to_contain_text("An essential container exited")
    expect(why).to_contain_text("Container app: the process exited with code 3")
    expect(why).to_contain_text("could not connect to db", timeout=20_000)  # its last log lines
    shot(page, "why-exit-code")


def test_a_refused_action_shows_the_apis_words_and_changes_nothing(page, client):
    _console(page, "/clusters")
    page.click("#create-cluster")
    page.fill("#f-clusterName", "bad name!")
    page.click("dialog button[type=submit]")
    expect(page.locator("dialog .form-error")).to_contain_text("InvalidParameterException")
    assert client("ecs").list_clusters()["clusterArns"] == []


def test_a_page_reads_again_only_when_something_it_shows_changed(page, client):
    ecs = client("ecs")
    for name in ("mine", "other"):
        ecs.create_cluster(clusterName=name)
    _console(page, "/clusters/mine")
    expect(page.locator("h1")).to_contain_text("mine")
    page.wait_for_timeout(2500)
    assert page.evaluate("window.ecsdConsole.refreshes") == 0  # idle: no API call
    ecs.create_service(
        cluster="other",
        serviceName="elsewhere",
        taskDefinition=_td(ecs),
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration=NETWORK,
    )
    page.wait_for_timeout(2500)
    assert page.evaluate("window.ecsdConsole.refreshes") == 0  # another cluster's change
    ecs.create_service(
        cluster="mine",
        serviceName="here",
        taskDefinition=_td(ecs),
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration=NETWORK,
    )
    expect(page.locator("#view")).to_contain_text("here")  # within 2 s, no reload
    assert page.evaluate("window.ecsdConsole.refreshes") >= 1


def _td(ecs) -> str:
    return register(ecs, "quiet", [{"name": "app", "command": ["sleep", "60"]}])

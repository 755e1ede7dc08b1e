"""Task behaviours a newcomer meets first (issue #12, item 7), in fake time: what `ecsd
serve` says at INFO, a failed pull leaving no log stream and its pull times, a stopped
task's ENI, and a healthy container not called UNHEALTHY for its sibling's failure."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from sqlalchemy import select

from ecsd.store.schema.logs import log_groups, log_streams

from .test_task_controller import Harness, scenario

AWSLOGS = {
    "logDriver": "awslogs",
    "options": {
        "awslogs-group": "/ecs/t",
        "awslogs-region": "us-east-1",
        "awslogs-stream-prefix": "ecs",
        "awslogs-create-group": "true",
    },
}


def _log_rows(h: Harness) -> tuple[list[Any], list[Any]]:
    def read(c: Any) -> tuple[list[Any], list[Any]]:
        return list(c.execute(select(log_groups))), list(c.execute(select(log_streams)))

    return h.store.read_sync(read)


@scenario
async def test_a_failed_pull_makes_no_log_stream_and_keeps_its_pull_times(h: Harness) -> None:
    h.runtime.pull_errors["nope/app:1"] = "manifest unknown"
    arn = h.run_task([{"name": "app", "image": "nope/app:1", "logConfiguration": AWSLOGS}])
    await h.status_is(arn, "STOPPED")
    doc = h.task(arn)
    assert doc["stoppedReason"].startswith("CannotPullContainerError: ")
    assert doc["pullStartedAt"] <= doc["pullStoppedAt"]
    groups, streams = _log_rows(h)
    assert (groups, streams) == ([], [])
    # A task whose pull works gets its stream, as before.
    ok = h.run_task([{"name": "app", "logConfiguration": AWSLOGS}])
    await h.status_is(ok, "RUNNING")
    groups, streams = _log_rows(h)
    assert [s.name for s in streams] == [f"ecs/app/{ok.rsplit('/', 1)[1]}"]


@scenario
async def test_a_stopped_task_keeps_its_eni(h: Harness) -> None:
    arn = h.run_task([{"name": "web", "portMappings": [{"containerPort": 80}]}])
    await h.status_is(arn, "RUNNING")
    h.stop_task(arn)
    await h.status_is(arn, "STOPPED")
    attachment = h.task(arn)["attachments"][0]
    assert attachment["status"] == "DELETED"
    details = {d["name"]: d["value"] for d in attachment["details"]}
    assert details["privateIPv4Address"] and details["networkInterfaceId"].startswith("eni-")
    assert details["subnetId"] == "subnet-1"


@scenario
async def test_a_healthy_sibling_stays_healthy_when_another_fails(h: Harness) -> None:
    h.runtime.script("good", health=[(1, "healthy")])
    h.runtime.script("bad", health=[(1, "healthy")], exit_after=5, exit_code=1)
    check = {"command": ["CMD", "true"], "interval": 5}
    arn = h.run_task(
        [
            {"name": "good", "image": "good", "healthCheck": check},
            {"name": "bad", "image": "bad", "healthCheck": check},
        ]
    )
    await h.status_is(arn, "RUNNING")
    await h.until(lambda: h.task(arn).get("healthStatus") == "HEALTHY", fake_seconds=3)
    await h.status_is(arn, "STOPPED", fake_seconds=20)
    containers = {c["name"]: c for c in h.task(arn)["containers"]}
    assert containers["good"]["healthStatus"] == "HEALTHY"
    assert containers["bad"]["exitCode"] == 1


@pytest.fixture(autouse=True)
def _info(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="ecsd")


def test_serve_says_what_happens_at_info(tmp_path: Any, caplog: pytest.LogCaptureFixture) -> None:
    @scenario
    async def run(h: Harness) -> None:
        real = h.runtime.ensure_image

        async def slow(ref: str) -> Any:
            await h.clock.sleep(25)  # a long pull
            return await real(ref)

        h.runtime.ensure_image = slow  # type: ignore[method-assign]
        arn = h.run_task([{"name": "web"}])
        await h.status_is(arn, "RUNNING", fake_seconds=40, step=5)
        h.stop_task(arn, reason="Scaling activity initiated by (deployment ecs-svc/1)")
        await h.status_is(arn, "STOPPED")

    run(tmp_path)
    lines = [r.getMessage() for r in caplog.records if r.name == "ecsd.tasks"]
    assert any(line.endswith("pulling busybox") for line in lines), lines
    assert any("still pulling" in line for line in lines), lines
    assert any("pulled busybox in" in line for line in lines), lines
    assert any(line.endswith("(family:t): RUNNING") for line in lines), lines
    assert any(
        "STOPPED, UserInitiated: Scaling activity initiated by (deployment ecs-svc/1)" in line
        for line in lines
    ), lines

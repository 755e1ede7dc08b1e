"""ECS meanings of container states, with hand-made runtime states (no engine)."""

from __future__ import annotations

from ecsd.controllers import task_state
from ecsd.runtime.base import ContainerState


def state(
    name: str,
    *,
    running: bool = False,
    started: bool = True,
    exit_code: int | None = None,
    health: str | None = None,
    oom: bool = False,
) -> ContainerState:
    return ContainerState(
        id=f"id-{name}",
        name=name,
        image="img",
        labels={},
        status="x",
        running=running,
        exit_code=exit_code,
        oom_killed=oom,
        error=None,
        started_at=1.0 if started else None,
        finished_at=None,
        health=health,
        image_id="sha",
        image_digest=None,
    )  # type: ignore[arg-type]


def needs(cond: str) -> dict:
    return {"name": "b", "dependsOn": [{"containerName": "a", "condition": cond}]}


def test_start_condition():
    assert task_state.unmet(needs("START"), {}) == "a START"
    assert task_state.unmet(needs("START"), {"a": state("a", started=False)}) == "a START"
    assert task_state.unmet(needs("START"), {"a": state("a", running=True)}) is None


def test_complete_and_success_conditions():
    running = {"a": state("a", running=True)}
    assert task_state.unmet(needs("COMPLETE"), running) == "a COMPLETE"
    failed = {"a": state("a", exit_code=1)}
    assert task_state.unmet(needs("COMPLETE"), failed) is None
    assert task_state.unmet(needs("SUCCESS"), failed).startswith("!")
    assert task_state.unmet(needs("SUCCESS"), {"a": state("a", exit_code=0)}) is None


def test_healthy_condition():
    assert (
        task_state.unmet(needs("HEALTHY"), {"a": state("a", running=True, health="starting")})
        == "a HEALTHY"
    )
    assert (
        task_state.unmet(needs("HEALTHY"), {"a": state("a", running=True, health="healthy")})
        is None
    )
    assert task_state.unmet(needs("HEALTHY"), {"a": state("a", exit_code=0)}).startswith("!")


def _task(*names: str) -> dict:
    return {
        "containers": [
            {"name": n, "lastStatus": "PENDING", "healthStatus": "UNKNOWN"} for n in names
        ]
    }


def test_task_health_counts_only_essential_containers_with_checks():
    check = {"command": ["CMD", "true"]}
    rt = {
        "containers": [
            {"name": "a", "healthCheck": check},
            {"name": "b", "essential": False, "healthCheck": check},
            {"name": "c"},
        ]
    }
    doc = _task("a", "b", "c")
    task_state.observe(
        doc,
        rt,
        {
            "a": state("a", running=True, health="healthy"),
            "b": state("b", running=True, health="unhealthy"),
            "c": state("c", running=True),
        },
    )
    assert [c["healthStatus"] for c in doc["containers"]] == ["HEALTHY", "UNHEALTHY", "UNKNOWN"]
    assert doc["healthStatus"] == "HEALTHY"
    task_state.observe(doc, rt, {"a": state("a", running=True, health="unhealthy")})
    assert doc["healthStatus"] == "UNHEALTHY"


def test_no_health_checks_means_unknown():
    doc = _task("a")
    task_state.observe(doc, {"containers": [{"name": "a"}]}, {"a": state("a", running=True)})
    assert doc["healthStatus"] == "UNKNOWN"


def test_exit_and_oom_are_recorded():
    doc = _task("a")
    task_state.observe(
        doc, {"containers": [{"name": "a"}]}, {"a": state("a", exit_code=137, oom=True)}
    )
    c = doc["containers"][0]
    assert (c["lastStatus"], c["exitCode"], c["reason"]) == (
        "STOPPED",
        137,
        "OutOfMemoryError: Container killed due to memory usage",
    )

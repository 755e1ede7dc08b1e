"""How a task's utilization comes from two of ecsd's samples, and how a period's points
aggregate the tasks of a service and of a cluster."""

from __future__ import annotations

from typing import Any

import pytest

from ecsd.controllers.task_metrics import TaskUse, points, task_use
from ecsd.runtime.base import Usage, usage_of

MIB = 1024 * 1024


def _task(containers: list[str], cpu: float | None = 256, memory: float | None = 512) -> Any:
    return {
        "arn": "t",
        "region": "us-east-1",
        "clusterName": "c",
        "serviceName": "web",
        "cpu": cpu,
        "memory": memory,
        "containers": containers,
    }


def _u(cpu_s: float, system_s: float, mib: float = 0, cpus: int = 2) -> Usage:
    return Usage(int(cpu_s * 1e9), int(system_s * 1e9), cpus, int(mib * MIB))


def test_cpu_is_the_delta_between_two_samples_in_units_of_the_task_reservation() -> None:
    # 10 s of wall time on 2 CPUs is 20 s of system time; the container used 1.25 s:
    # 0.125 vCPU = 128 units, half of 256.
    before = {"a": _u(5.0, 100.0)}
    now = {"a": _u(6.25, 120.0, mib=128)}
    use = task_use(_task(["a"]), now, before)
    assert use is not None
    assert use.cpu == pytest.approx(50.0)
    assert use.memory == pytest.approx(25.0)  # 128 of 512 MiB


def test_the_containers_of_a_task_add_up() -> None:
    before = {"a": _u(0, 0), "b": _u(0, 0)}
    now = {"a": _u(10, 20, mib=100), "b": _u(10, 20, mib=156)}  # one vCPU each
    use = task_use(_task(["a", "b"], cpu=1024, memory=1024), now, before)
    assert use is not None and use.cpu == pytest.approx(200.0)
    assert use.memory == pytest.approx(25.0)


def test_no_value_until_every_container_has_a_previous_sample() -> None:
    now = {"a": _u(1, 2), "b": _u(1, 2)}
    assert task_use(_task(["a"]), now, {}) is None
    assert task_use(_task(["a", "b"]), now, {"a": _u(0, 0)}) is None
    # A container that stopped (no sample now) no longer counts; the others do.
    use = task_use(_task(["a", "b"]), {"a": _u(1, 2)}, {"a": _u(0, 0), "b": _u(0, 0)})
    assert use is not None and use.cpu == pytest.approx(400.0)
    assert task_use(_task(["a"]), {}, {"a": _u(0, 0)}) is None
    # A container that restarted (its CPU time went back) is not measured this period.
    assert task_use(_task(["a"]), {"a": _u(1, 4)}, {"a": _u(3, 2)}) is None


def test_a_task_without_a_reservation_has_no_value_for_it() -> None:
    use = task_use(_task(["a"], cpu=None), {"a": _u(1, 2)}, {"a": _u(0, 0)})
    assert use is not None and use.cpu is None and use.memory is not None


def test_points_per_service_and_per_cluster_keep_every_task_as_a_sample() -> None:
    uses = [
        TaskUse("us-east-1", "c", "web", 20.0, 10.0),
        TaskUse("us-east-1", "c", "web", 60.0, 30.0),
        TaskUse("us-east-1", "c", "api", 100.0, None),
    ]
    by_key = {
        (p.name, tuple(d["Value"] for d in p.dimensions)): p
        for p in points(uses, 1200.0)["us-east-1"]
    }
    web = by_key[("CPUUtilization", ("c", "web"))]
    assert (web.count, web.sum, web.min, web.max, web.samples) == (2, 80.0, 20.0, 60.0, [20, 60])
    assert web.unit == "Percent" and web.namespace == "AWS/ECS" and web.ts == 1200.0
    cluster = by_key[("CPUUtilization", ("c",))]
    assert (cluster.count, cluster.sum, cluster.min, cluster.max) == (3, 180.0, 20.0, 100.0)
    assert by_key[("MemoryUtilization", ("c",))].count == 2  # api has no memory value
    assert ("MemoryUtilization", ("c", "api")) not in by_key


def test_docker_stats_read_as_usage() -> None:
    stats = {
        "cpu_stats": {
            "cpu_usage": {"total_usage": 5_000},
            "system_cpu_usage": 90_000,
            "online_cpus": 2,
        },
        "memory_stats": {"usage": 10 * MIB, "stats": {"inactive_file": 2 * MIB}},
    }
    assert usage_of(stats) == Usage(5_000, 90_000, 2, 8 * MIB)
    # cgroup v1 names the page cache total_inactive_file
    stats["memory_stats"] = {"usage": 10 * MIB, "stats": {"total_inactive_file": MIB}}
    assert usage_of(stats) == Usage(5_000, 90_000, 2, 9 * MIB)
    assert usage_of({"cpu_stats": {}, "memory_stats": {}}) is None  # not running

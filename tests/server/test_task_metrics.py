"""ECS's own `AWS/ECS` metrics from the running tasks, in fake time: the daemon
in-process with a fake engine whose containers keep a scripted CPU load, its collector
driven pass by pass, read back with boto3's GetMetricStatistics as a user would."""

from __future__ import annotations

import datetime as dt
import math
import time
from typing import Any

import pytest
from conftest import client_for

from ecsd.core.clock import FakeClock
from ecsd.runtime.fake import FakeRuntime

NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-1"], "assignPublicIp": "ENABLED"}}


class World:
    def __init__(self, server: Any, clock: FakeClock, runtime: FakeRuntime) -> None:
        self.server, self.clock, self.runtime = server, clock, runtime
        self.ecs = client_for(server, "ecs")
        self.cw = client_for(server, "cloudwatch")
        self.collector = server.daemon.task_metrics

    def collect(self) -> int:
        """One collector pass a metric period after the last one."""
        self.server._run(self.clock.advance(60.0))
        return int(self.server._run(self.collector.run_pass()))

    def settle(self, running: int) -> None:
        for _ in range(120):
            tasks = self.ecs.list_tasks(serviceName="web", desiredStatus="RUNNING")["taskArns"]
            described = self.ecs.describe_tasks(tasks=tasks)["tasks"] if tasks else []
            if sum(t["lastStatus"] == "RUNNING" for t in described) == running == len(tasks):
                return
            self.server._run(self.clock.advance(1.0))
            time.sleep(0.01)
        raise AssertionError(f"never {running} running")

    def containers(self) -> list[str]:
        tasks = self.ecs.list_tasks(serviceName="web", desiredStatus="RUNNING")["taskArns"]
        return sorted(
            c["runtimeId"]
            for t in self.ecs.describe_tasks(tasks=tasks)["tasks"]
            for c in t["containers"]
        )

    def stats(self, name: str, dims: dict[str, str]) -> dict[str, Any]:
        # The period the last pass closed (its sample is taken just after its end).
        start = (math.floor(self.clock.time() / 60) - 1) * 60
        begin = dt.datetime.fromtimestamp(start, dt.UTC)
        points = self.cw.get_metric_statistics(
            Namespace="AWS/ECS",
            MetricName=name,
            Dimensions=[{"Name": k, "Value": v} for k, v in dims.items()],
            StartTime=begin,
            EndTime=begin + dt.timedelta(seconds=60),
            Period=60,
            Statistics=["Average", "Minimum", "Maximum", "SampleCount"],
        )["Datapoints"]
        assert len(points) == 1, points
        return dict(points[0])


@pytest.fixture
def world(in_process) -> World:
    clock = FakeClock(start=time.time())
    runtime = FakeRuntime(clock)
    runtime.script("busybox", cpu=0.125, memory_mib=128)  # 128 CPU units: half of 256
    server = in_process(clock=clock, runtime=runtime)
    server._run(server.daemon.task_metrics.stop())  # the test drives the passes
    w = World(server, clock, runtime)
    w.ecs.create_cluster()
    w.ecs.register_task_definition(
        family="web",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "app", "image": "busybox"}],
    )
    w.ecs.create_service(
        serviceName="web",
        taskDefinition="web:1",
        desiredCount=2,
        launchType="FARGATE",
        networkConfiguration=NETWORK,
    )
    w.settle(2)
    return w


def test_service_and_cluster_utilization_from_the_tasks_containers(world: World) -> None:
    w = world
    busy, calm = w.containers()
    w.runtime.set_load(busy, 0.25)  # one whole reservation: 100 %
    # The first sample has nothing to compare with: no point yet.
    assert w.server._run(w.collector.run_pass()) == 0
    # CPU and memory, per service and per cluster.
    assert w.collect() == 4
    cpu = w.stats("CPUUtilization", {"ClusterName": "default", "ServiceName": "web"})
    assert cpu["Unit"] == "Percent"
    assert cpu["SampleCount"] == 2
    assert cpu["Average"] == pytest.approx(75.0)
    assert (cpu["Minimum"], cpu["Maximum"]) == (pytest.approx(50.0), pytest.approx(100.0))
    cluster = w.stats("CPUUtilization", {"ClusterName": "default"})
    assert cluster["Average"] == pytest.approx(75.0) and cluster["SampleCount"] == 2
    memory = w.stats("MemoryUtilization", {"ClusterName": "default", "ServiceName": "web"})
    assert memory["Average"] == pytest.approx(25.0)  # 128 of 512 MiB, page cache left out


def test_a_stopped_task_drops_out_and_a_new_one_waits_a_period(world: World) -> None:
    w = world
    w.collect()
    first = set(w.containers())
    w.ecs.update_service(service="web", desiredCount=1)
    w.settle(1)
    assert w.collect() == 4
    assert w.stats("CPUUtilization", {"ClusterName": "default"})["SampleCount"] == 1
    w.ecs.update_service(service="web", desiredCount=2)
    w.settle(2)
    assert len(set(w.containers()) - first) == 1
    w.collect()  # the new task's first sample: only the old task is measured
    assert w.stats("CPUUtilization", {"ClusterName": "default"})["SampleCount"] == 1
    w.collect()
    assert w.stats("CPUUtilization", {"ClusterName": "default"})["SampleCount"] == 2


def test_the_collector_publishes_one_point_per_period_on_its_own(world: World) -> None:
    w = world
    w.server._run(w.collector.start())
    for _ in range(200):  # a little over three periods, a second at a time
        w.server._run(w.clock.advance(1.0))
        time.sleep(0.003)
    end = math.floor(w.clock.time() / 60) * 60
    begin = dt.datetime.fromtimestamp(end - 180, dt.UTC)
    points = w.cw.get_metric_statistics(
        Namespace="AWS/ECS",
        MetricName="CPUUtilization",
        Dimensions=[{"Name": "ClusterName", "Value": "default"}],
        StartTime=begin,
        EndTime=begin + dt.timedelta(seconds=180),
        Period=60,
        Statistics=["SampleCount", "Average"],
    )["Datapoints"]
    # The first pass only samples; every later period holds one point over both tasks.
    assert len(points) >= 2, points
    assert all(p["SampleCount"] == 2 for p in points), points
    assert all(p["Average"] == pytest.approx(50.0) for p in points), points


def test_no_task_metrics_leaves_the_collector_out(in_process) -> None:
    server = in_process(task_metrics=False)
    assert "task metrics" not in [c.name for c in server.daemon.components]

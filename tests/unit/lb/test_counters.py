"""The request counters and their metrics: counting, taking, adding up the workers'
counts, and the AWS/ApplicationELB points one period makes (dimensions, per-target
division, what is left out when zero)."""

from __future__ import annotations

from ecsd.lb.counters import (
    REQUESTS,
    RT_MAX,
    RT_MIN,
    RT_N,
    RT_SUM,
    T2XX,
    T5XX,
    Counters,
    Counts,
    answered,
    host_counts,
)
from ecsd.model.elbv2.metrics import points

LB = "arn:aws:elasticloadbalancing:us-east-1:000000000000:loadbalancer/app/web/1111111111111111"
TG = "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/web/2222222222222222"
LB_DIM = {"Name": "LoadBalancer", "Value": "app/web/1111111111111111"}
TG_DIM = {"Name": "TargetGroup", "Value": "targetgroup/web/2222222222222222"}


def worker(statuses: list[tuple[int, float]], elb: tuple[int, ...] = ()) -> Counts:
    counters = Counters()
    for status, seconds in statuses:
        row = counters.group(LB, TG)
        row[REQUESTS] += 1
        answered(row, status, seconds)
    for code in elb:
        counters.elb_answer(LB, code)
    return counters.take()


def test_take_starts_afresh() -> None:
    counters = Counters()
    counters.group(LB, TG)[REQUESTS] += 1
    assert counters.take().groups[(LB, TG)][REQUESTS] == 1
    assert counters.take().groups == {}


def test_merge_adds_the_workers_counts() -> None:
    total = Counts()
    total.merge(worker([(200, 0.2), (500, 0.05)], (503,)))
    total.merge(worker([(201, 0.4)], (502, 503, 460)))
    total.merge(Counts())
    row = total.groups[(LB, TG)]
    assert row[REQUESTS] == 3 and row[T2XX] == 2 and row[T5XX] == 1
    assert (row[RT_N], round(row[RT_SUM], 6), row[RT_MIN], row[RT_MAX]) == (3, 0.65, 0.05, 0.4)
    lrow = total.lbs[LB]
    assert lrow[0] == 1 and lrow[1] == 3  # ELB 4XX (the 460), ELB 5XX
    assert total.lb_requests() == {LB: 3}


def test_points_of_a_period() -> None:
    counts = worker([(200, 0.1)] * 6 + [(404, 0.3)] * 2, (503, 400))
    hosts = host_counts({(LB, TG)}, {TG: {"a": "healthy", "b": "healthy", "c": "unhealthy"}})
    assert hosts == {(LB, TG): (2, 1)}
    got = {
        (p.name, tuple(d["Value"] for d in p.dimensions)): p for p in points(counts, hosts, 60.0)
    }
    both = (LB_DIM["Value"], TG_DIM["Value"])
    lb = (LB_DIM["Value"],)
    assert got[("RequestCount", both)].sum == 8 and got[("RequestCount", lb)].sum == 8
    assert got[("HTTPCode_Target_2XX_Count", both)].sum == 6
    assert got[("HTTPCode_Target_4XX_Count", lb)].sum == 2
    assert ("HTTPCode_Target_5XX_Count", lb) not in got  # zero: not reported, as on AWS
    assert got[("HTTPCode_ELB_5XX_Count", lb)].sum == 1
    assert got[("HTTPCode_ELB_503_Count", lb)].sum == 1
    assert got[("HTTPCode_ELB_4XX_Count", lb)].sum == 1
    assert ("HTTPCode_ELB_5XX_Count", both) not in got
    rt = got[("TargetResponseTime", both)]
    assert (rt.count, rt.min, rt.max, rt.unit) == (8, 0.1, 0.3, "Seconds")
    assert got[("RequestCountPerTarget", both)].sum == 4  # 8 requests, 2 healthy targets
    assert got[("RequestCountPerTarget", (TG_DIM["Value"],))].sum == 4
    assert got[("HealthyHostCount", both)].sum == 2
    assert got[("UnHealthyHostCount", both)].sum == 1
    assert all(p.ts == 60.0 and p.namespace == "AWS/ApplicationELB" for p in got.values())


def test_quiet_period_still_reports_hosts_and_zero_per_target() -> None:
    hosts = host_counts({(LB, TG)}, {TG: {"a": "healthy"}})
    names = sorted(p.name for p in points(Counts(), hosts, 0.0))
    assert names == [
        "HealthyHostCount",
        "RequestCountPerTarget",
        "RequestCountPerTarget",
        "UnHealthyHostCount",
    ]


def test_no_healthy_target_divides_by_the_failed_open_ones() -> None:
    counts = worker([(200, 0.1)] * 6)
    hosts = host_counts({(LB, TG)}, {TG: {"a": "unhealthy", "b": "unhealthy", "c": "initial"}})
    per = [p for p in points(counts, hosts, 0.0) if p.name == "RequestCountPerTarget"]
    assert {p.sum for p in per} == {3.0}

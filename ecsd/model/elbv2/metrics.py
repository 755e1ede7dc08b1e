"""The `AWS/ApplicationELB` metrics of one period, from the data plane's counts.

Why here: which metric a count becomes, with which dimension sets, is ELBv2's domain;
the load-balancing controller hands over each metric period's counts (lb/counters.py)
and the host counts, and this module stores them through model/cloudwatch's functions.

As AWS publishes them ("CloudWatch metrics for your Application Load Balancer"):
- RequestCount, HTTPCode_Target_2XX…5XX_Count, TargetResponseTime (Seconds): per
  LoadBalancer and per LoadBalancer+TargetGroup; only in a period with a nonzero value;
- HTTPCode_ELB_4XX/5XX_Count and the per-code HTTPCode_ELB_502/503/504_Count,
  HTTP_Fixed_Response_Count, HTTP_Redirect_Count: per LoadBalancer, nonzero only;
- HealthyHostCount, UnHealthyHostCount: per LoadBalancer+TargetGroup, every period;
- RequestCountPerTarget: the target group's RequestCount over its healthy targets
  (over its registered ones while none is healthy: ALB then fails open), per TargetGroup
  and per LoadBalancer+TargetGroup, in every period the group has targets — so that
  an ALBRequestCountPerTarget policy also sees the quiet periods and can scale in.
The AvailabilityZone dimension sets are not published (ecsd's load balancer has one
node, in no zone). A period's points carry the period's start as their timestamp.
"""

from __future__ import annotations

from ...core.unit import Unit
from ...lb.counters import (
    ELB_4XX,
    ELB_5XX,
    FIXED,
    REDIRECT,
    REQUESTS,
    RT_MAX,
    RT_MIN,
    RT_N,
    RT_SUM,
    T2XX,
    Counts,
    GroupKey,
    code_index,
)
from ..cloudwatch.metrics import Point, put_many

NAMESPACE = "AWS/ApplicationELB"


def lb_dimension(arn: str) -> str:
    """`app/<name>/<id>` of a load balancer ARN."""
    return arn.split(":loadbalancer/", 1)[-1]


def tg_dimension(arn: str) -> str:
    """`targetgroup/<name>/<id>` of a target group ARN."""
    return arn.rsplit(":", 1)[-1]


def _count(name: str, dims: list[dict[str, str]], value: float, ts: float) -> Point:
    return Point.of(NAMESPACE, name, dims, float(value), ts, "Count")


def points(counts: Counts, hosts: dict[GroupKey, tuple[int, int]], ts: float) -> list[Point]:
    """The points of one period (see the module's docstring)."""
    out: list[Point] = []
    totals = Counts()  # per load balancer: its groups' rows added up (key (lb, ""))
    per_tg: dict[str, list[float]] = {}  # target group → [requests, targets to divide by]
    for (lb, tg), row in counts.groups.items():
        totals.merge(Counts(groups={(lb, ""): row}))
        dims = [
            {"Name": "LoadBalancer", "Value": lb_dimension(lb)},
            {"Name": "TargetGroup", "Value": tg_dimension(tg)},
        ]
        out.extend(_group_points(row, dims, ts))
    for (lb, _), total in totals.groups.items():
        out.extend(_group_points(total, [{"Name": "LoadBalancer", "Value": lb_dimension(lb)}], ts))
    for lb, lrow in counts.lbs.items():
        dims = [{"Name": "LoadBalancer", "Value": lb_dimension(lb)}]
        for name, value in (
            ("HTTPCode_ELB_4XX_Count", lrow[ELB_4XX]),
            ("HTTPCode_ELB_5XX_Count", lrow[ELB_5XX]),
            ("HTTPCode_ELB_502_Count", lrow[code_index(502) or 0]),
            ("HTTPCode_ELB_503_Count", lrow[code_index(503) or 0]),
            ("HTTPCode_ELB_504_Count", lrow[code_index(504) or 0]),
            ("HTTP_Fixed_Response_Count", lrow[FIXED]),
            ("HTTP_Redirect_Count", lrow[REDIRECT]),
        ):
            if value:
                out.append(_count(name, dims, value, ts))
    for (lb, tg), (healthy, unhealthy) in hosts.items():
        dims = [
            {"Name": "LoadBalancer", "Value": lb_dimension(lb)},
            {"Name": "TargetGroup", "Value": tg_dimension(tg)},
        ]
        out.append(_count("HealthyHostCount", dims, healthy, ts))
        out.append(_count("UnHealthyHostCount", dims, unhealthy, ts))
        counted = counts.groups.get((lb, tg))
        requests = counted[REQUESTS] if counted is not None else 0.0
        targets = healthy or (healthy + unhealthy)
        if targets:
            out.append(_count("RequestCountPerTarget", dims, requests / targets, ts))
            acc = per_tg.setdefault(tg, [0.0, float(targets)])
            acc[0] += requests
    for tg, (tg_requests, tg_targets) in per_tg.items():
        dims = [{"Name": "TargetGroup", "Value": tg_dimension(tg)}]
        out.append(_count("RequestCountPerTarget", dims, tg_requests / tg_targets, ts))
    return out


def _group_points(row: list[float], dims: list[dict[str, str]], ts: float) -> list[Point]:
    out: list[Point] = []
    if row[REQUESTS]:
        out.append(_count("RequestCount", dims, row[REQUESTS], ts))
    for i, klass in enumerate(("2XX", "3XX", "4XX", "5XX")):
        if row[T2XX + i]:
            out.append(_count(f"HTTPCode_Target_{klass}_Count", dims, row[T2XX + i], ts))
    if row[RT_N]:
        out.append(
            Point(
                NAMESPACE,
                "TargetResponseTime",
                dims,
                ts,
                row[RT_N],
                row[RT_SUM],
                row[RT_MIN],
                row[RT_MAX],
                "Seconds",
            )
        )
    return out


def publish(unit: Unit, counts: Counts, hosts: dict[GroupKey, tuple[int, int]], ts: float) -> int:
    """Store one period's points; how many."""
    return put_many(unit, points(counts, hosts, ts))

"""The data plane's request counters: what `AWS/ApplicationELB` metrics are made of.

Why a module of its own: the proxy counts on its hot path, so counting must be a few
integer increments in memory — no I/O, no lock, no allocation once a row exists. Every
metric period the owner takes the counts (`take` hands them over and starts afresh);
worker processes send theirs to the parent over their pipe (lb/workers.py), where
`merge` adds them up, and the load-balancing controller turns them into CloudWatch
points (model/elbv2/metrics.py).

Rows, as plain lists indexed by the constants below:
- per (load balancer ARN, target group ARN): the requests forwarded to a target of the
  group (ALB's RequestCount counts a request once a target was chosen), the target's
  answers by class (HTTPCode_Target_2XX…5XX_Count) and the response times
  (TargetResponseTime: from the request leaving the proxy to the answer's head, seconds);
- per load balancer ARN: its own answers (HTTPCode_ELB_4XX/5XX_Count and the 400, 408,
  460, 502, 503, 504 among them) and the fixed-response / redirect actions it answered.
"""

from __future__ import annotations

from dataclasses import dataclass, field

GroupKey = tuple[str, str]  # (load balancer ARN, target group ARN)

# A group row.
REQUESTS, T2XX, T3XX, T4XX, T5XX, RT_N, RT_SUM, RT_MIN, RT_MAX = range(9)
GROUP_ROW = 9
# A load balancer row: the ELB's own answers by code, then its actions.
ELB_CODES = (400, 408, 460, 502, 503, 504)
ELB_4XX, ELB_5XX = 0, 1
FIXED, REDIRECT = 2, 3
_CODE_AT = {code: 4 + i for i, code in enumerate(ELB_CODES)}
LB_ROW = 4 + len(ELB_CODES)


def code_index(code: int) -> int | None:
    """Where a load balancer row counts answers with this code (None: only its class)."""
    return _CODE_AT.get(code)


@dataclass
class Counts:
    """One period's counts (what `take` returns and what workers send)."""

    groups: dict[GroupKey, list[float]] = field(default_factory=dict)
    lbs: dict[str, list[int]] = field(default_factory=dict)

    def merge(self, other: Counts) -> None:
        """Add another process's counts to these."""
        for key, row in other.groups.items():
            mine = self.groups.get(key)
            if mine is None:
                self.groups[key] = list(row)
                continue
            for i in range(RT_MIN):
                mine[i] += row[i]
            if row[RT_N]:
                mine[RT_MIN] = min(mine[RT_MIN], row[RT_MIN]) if mine[RT_N] else row[RT_MIN]
                mine[RT_MAX] = max(mine[RT_MAX], row[RT_MAX])
        for arn, lrow in other.lbs.items():
            lmine = self.lbs.get(arn)
            if lmine is None:
                self.lbs[arn] = list(lrow)
            else:
                for i, v in enumerate(lrow):
                    lmine[i] += v

    def lb_requests(self) -> dict[str, float]:
        """RequestCount per load balancer: the requests of all its target groups."""
        out: dict[str, float] = {}
        for (lb, _tg), row in self.groups.items():
            out[lb] = out.get(lb, 0) + row[REQUESTS]
        return out


class Counters:
    """The live counters of one process's proxy."""

    __slots__ = ("_counts",)

    def __init__(self) -> None:
        self._counts = Counts()

    def group(self, lb: str, tg: str) -> list[float]:
        """The row a forwarded request counts in (created on first use)."""
        row = self._counts.groups.get((lb, tg))
        if row is None:
            row = self._counts.groups[(lb, tg)] = [0.0] * GROUP_ROW
        return row

    def lb(self, lb: str) -> list[int]:
        row = self._counts.lbs.get(lb)
        if row is None:
            row = self._counts.lbs[lb] = [0] * LB_ROW
        return row

    def elb_answer(self, lb: str, code: int) -> None:
        """The load balancer answered `code` itself (HTTPCode_ELB_*)."""
        row = self.lb(lb)
        row[ELB_4XX if code < 500 else ELB_5XX] += 1
        at = _CODE_AT.get(code)
        if at is not None:
            row[at] += 1

    def take(self) -> Counts:
        """The counts since the last take; counting starts afresh."""
        counts, self._counts = self._counts, Counts()
        return counts


def answered(row: list[float], status: int, seconds: float) -> None:
    """A target answered a forwarded request with `status` after `seconds`."""
    klass = status // 100
    if 2 <= klass <= 5:
        row[T2XX + klass - 2] += 1
    if row[RT_N]:
        if seconds < row[RT_MIN]:
            row[RT_MIN] = seconds
        if seconds > row[RT_MAX]:
            row[RT_MAX] = seconds
    else:
        row[RT_MIN] = row[RT_MAX] = seconds
    row[RT_N] += 1
    row[RT_SUM] += seconds


def host_counts(
    pairs: set[GroupKey], states: dict[str, dict[str, str]]
) -> dict[GroupKey, tuple[int, int]]:
    """(healthy, unhealthy) targets of each (load balancer, target group) pair that
    routes traffic, from each group's targets' states (HealthyHostCount and
    UnHealthyHostCount; a target in `initial`, `draining` or `unavailable` is neither)."""
    out: dict[GroupKey, tuple[int, int]] = {}
    for lb, tg in pairs:
        found = states.get(tg, {}).values()
        out[(lb, tg)] = (
            sum(1 for s in found if s == "healthy"),
            sum(1 for s in found if s == "unhealthy"),
        )
    return out

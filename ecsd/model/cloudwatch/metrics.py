"""The metric store: data points put (by PutMetricData or ecsd's own collection) and the
statistics read back over periods.

A point is a statistic set (count, sum, min, max): one value is a set of one, a
Values/Counts pair is a set of `count` equal values, a StatisticValues entry is given as
one. Every statistic of a period is then an aggregate over rows (SampleCount = Σ count,
Sum = Σ sum, Average = Sum / SampleCount, Minimum / Maximum), done by SQLite with the
index on (metric, time). The individual values are kept beside a point while they are
few (`samples`) so that percentiles (pNN) can be answered; a period with a point that
came as a StatisticValues set has no percentile, as on AWS.

Retention: AWS keeps 1-minute data 15 days and rolls it up after that. ecsd keeps raw
points `RAW_RETENTION` (24 h) and then `sweep` deletes them, together with metrics that
have had no point for that long — a week of running holds at most a day of points. The
periodic sweep is run by controllers/metrics.py.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Integer, Row, and_, delete, func, insert, select, update

from ...core.unit import Unit
from ...store.schema.cloudwatch import cw_metrics, cw_points

RAW_RETENTION = 24 * 3600.0  # seconds a raw point is kept
MAX_SAMPLES = 150  # the most individual values kept with one point (for percentiles)
BASIC_STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")

Dimensions = Sequence[dict[str, str]]  # [{"Name": ..., "Value": ...}]


@dataclass(frozen=True)
class Point:
    """One data point to store: a statistic set, with its values when known."""

    namespace: str
    name: str
    dimensions: Dimensions
    ts: float
    count: float
    sum: float
    min: float
    max: float
    unit: str = "None"
    samples: list[float] | None = None

    @classmethod
    def of(
        cls,
        namespace: str,
        name: str,
        dimensions: Dimensions,
        value: float,
        ts: float,
        unit: str = "None",
    ) -> Point:
        return cls(namespace, name, dimensions, ts, 1.0, value, value, value, unit, [value])


def dims_key(dimensions: Dimensions) -> str:
    """The canonical text of a dimension set: the same set in any order is one metric."""
    pairs = sorted((d["Name"], d["Value"]) for d in dimensions)
    return json.dumps(pairs, separators=(",", ":"))


def _sorted_dims(dimensions: Dimensions) -> list[dict[str, str]]:
    return [{"Name": n, "Value": v} for n, v in sorted((d["Name"], d["Value"]) for d in dimensions)]


def put(
    unit: Unit,
    namespace: str,
    name: str,
    dimensions: Dimensions,
    value: float,
    ts: float,
    unit_name: str = "None",
) -> None:
    """Store one value."""
    put_many(unit, [Point.of(namespace, name, dimensions, value, ts, unit_name)])


def put_many(unit: Unit, points: Iterable[Point]) -> int:
    """Store points in one batch (one insert for the lot): how many were stored."""
    points = list(points)
    if not points:
        return 0
    ids = _metric_ids(unit, points)
    rows = [
        {
            "metric_id": ids[(p.namespace, p.name, dims_key(p.dimensions))],
            "ts": p.ts,
            "count": p.count,
            "sum": p.sum,
            "min": p.min,
            "max": p.max,
            "unit": p.unit,
            "samples": p.samples
            if p.samples is not None and len(p.samples) <= MAX_SAMPLES
            else None,
        }
        for p in points
    ]
    unit.conn.execute(insert(cw_points), rows)
    return len(rows)


def _metric_ids(unit: Unit, points: list[Point]) -> dict[tuple[str, str, str], int]:
    """The metric row of every point's metric, created when new; last_ts moved on."""
    m = cw_metrics.c
    newest: dict[tuple[str, str, str], tuple[float, Dimensions]] = {}
    for p in points:
        key = (p.namespace, p.name, dims_key(p.dimensions))
        if key not in newest or newest[key][0] < p.ts:
            newest[key] = (p.ts, p.dimensions)
    ids: dict[tuple[str, str, str], int] = {}
    for key, (ts, dims) in newest.items():
        namespace, name, dkey = key
        row = unit.conn.execute(
            select(m.id, m.last_ts).where(
                m.region == unit.region,
                m.namespace == namespace,
                m.name == name,
                m.dims_key == dkey,
            )
        ).first()
        if row is None:
            inserted = unit.conn.execute(
                insert(cw_metrics).values(
                    region=unit.region,
                    namespace=namespace,
                    name=name,
                    dims_key=dkey,
                    dimensions=_sorted_dims(dims),
                    last_ts=ts,
                )
            ).inserted_primary_key
            assert inserted is not None
            ids[key] = int(inserted[0])
        else:
            ids[key] = row.id
            if row.last_ts < ts:
                unit.conn.execute(update(cw_metrics).where(m.id == row.id).values(last_ts=ts))
    return ids


def find(unit: Unit, namespace: str, name: str, dimensions: Dimensions) -> Row[Any] | None:
    m = cw_metrics.c
    return unit.conn.execute(
        select(cw_metrics).where(
            m.region == unit.region,
            m.namespace == namespace,
            m.name == name,
            m.dims_key == dims_key(dimensions),
        )
    ).first()


@dataclass
class Bucket:
    """One period's aggregate: its start time and every basic statistic."""

    start: float
    count: float
    sum: float
    min: float
    max: float
    unit: str
    samples: list[float] | None  # None: some point had no individual values

    def value(self, stat: str) -> float | None:
        if stat == "SampleCount":
            return self.count
        if stat == "Sum":
            return self.sum
        if stat == "Minimum":
            return self.min
        if stat == "Maximum":
            return self.max
        if stat == "Average":
            return self.sum / self.count if self.count else None
        pct = percentile_of(stat)
        if pct is not None and self.samples:
            return percentile(self.samples, pct)
        return None


def percentile_of(stat: str) -> float | None:
    """The percentile a `pNN` / `pNN.NN` statistic names, or None."""
    if len(stat) < 2 or stat[0] != "p":
        return None
    try:
        pct = float(stat[1:])
    except ValueError:
        return None
    return pct if 0 <= pct <= 100 and math.isfinite(pct) else None


def percentile(values: list[float], pct: float) -> float:
    """The nearest-rank percentile (the smallest value with pct % of values at or below)."""
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def buckets(
    unit: Unit,
    namespace: str,
    name: str,
    dimensions: Dimensions,
    start: float,
    end: float,
    period: float,
    unit_name: str | None = None,
) -> list[Bucket]:
    """The periods of [start, end) that hold points, oldest first; a period's points are
    those with start + k·period <= ts < start + (k+1)·period."""
    metric = find(unit, namespace, name, dimensions)
    if metric is None or end <= start or period <= 0:
        return []
    p = cw_points.c
    index = func.cast((p.ts - start) / period, Integer)
    cond = [p.metric_id == metric.id, p.ts >= start, p.ts < end]
    if unit_name is not None:
        cond.append(p.unit == unit_name)
    rows = unit.conn.execute(
        select(index.label("k"), p.count.label("n"), p.sum, p.min, p.max, p.unit, p.samples)
        .where(and_(*cond))
        .order_by(p.ts)
    )
    out: dict[int, Bucket] = {}
    for row in rows:
        b = out.get(row.k)
        if b is None:
            out[row.k] = Bucket(
                start + row.k * period,
                row.n,
                row.sum,
                row.min,
                row.max,
                row.unit,
                list(row.samples) if row.samples is not None else None,
            )
            continue
        b.count += row.n
        b.sum += row.sum
        b.min = min(b.min, row.min)
        b.max = max(b.max, row.max)
        if b.samples is not None and row.samples is not None:
            b.samples.extend(row.samples)
        else:
            b.samples = None
    return [out[k] for k in sorted(out)]


def statistics(
    unit: Unit,
    namespace: str,
    name: str,
    dimensions: Dimensions,
    start: float,
    end: float,
    period: float,
    stat: str,
    unit_name: str | None = None,
) -> list[tuple[float, float]]:
    """(period start, value of `stat`) for every period of [start, end) with data."""
    out = []
    for b in buckets(unit, namespace, name, dimensions, start, end, period, unit_name):
        v = b.value(stat)
        if v is not None:
            out.append((b.start, v))
    return out


def sweep(unit: Unit, retention: float = RAW_RETENTION) -> int:
    """Delete the points older than `retention` and the metrics left without any (in
    every region): how many points went."""
    cutoff = unit.now - retention
    gone = unit.conn.execute(delete(cw_points).where(cw_points.c.ts < cutoff)).rowcount
    unit.conn.execute(delete(cw_metrics).where(cw_metrics.c.last_ts < cutoff))
    return int(gone or 0)

"""CloudWatch tables: metrics (one row per namespace + name + dimension set), their data
points, alarms and alarm history.

A metric's identity is its namespace, name and *set* of dimensions, so the dimensions are
kept twice: `dims_key`, a canonical text (sorted by name) the unique index and lookups use,
and `dimensions`, the list as ListMetrics answers it. Data points are rows keyed by the
metric and a time in seconds; each row is a statistic set (count, sum, min, max), which is
what a single value (count 1), a Values/Counts pair or a StatisticValues entry all are, so
that every statistic is an aggregate over rows. Raw points are kept for `RAW_RETENTION`
and then deleted by a periodic sweep (model/cloudwatch/metrics.sweep).

Alarms keep their filter columns (name, state, actions enabled) plus the whole
MetricAlarm document (`doc`) as DescribeAlarms answers it.
"""

from __future__ import annotations

from sqlalchemy import JSON, Column, Float, ForeignKey, Index, Integer, String, Table, Text

from .base import metadata

cw_metrics = Table(
    "cw_metrics",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("region", String, nullable=False),
    Column("namespace", String, nullable=False),
    Column("name", String, nullable=False),
    Column("dims_key", Text, nullable=False),
    Column("dimensions", JSON, nullable=False),
    Column("last_ts", Float, nullable=False),  # newest point's time (ListMetrics' RecentlyActive)
)
Index(
    "cw_metrics_by_identity",
    cw_metrics.c.region,
    cw_metrics.c.namespace,
    cw_metrics.c.name,
    cw_metrics.c.dims_key,
    unique=True,
)

cw_points = Table(
    "cw_points",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("metric_id", Integer, ForeignKey("cw_metrics.id"), nullable=False),
    Column("ts", Float, nullable=False),
    Column("count", Float, nullable=False),
    Column("sum", Float, nullable=False),
    Column("min", Float, nullable=False),
    Column("max", Float, nullable=False),
    Column("unit", String, nullable=False),
    # The individual values (for percentiles), when few enough to keep; else NULL.
    Column("samples", JSON),
)
Index("cw_points_by_metric", cw_points.c.metric_id, cw_points.c.ts)
Index("cw_points_by_time", cw_points.c.ts)

cw_alarms = Table(
    "cw_alarms",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("region", String, nullable=False),
    Column("name", String, nullable=False),
    Column("state", String, nullable=False),
    Column("actions_enabled", Integer, nullable=False),
    Column("doc", JSON, nullable=False),
)
Index("cw_alarms_by_name", cw_alarms.c.region, cw_alarms.c.name, unique=True)

cw_alarm_history = Table(
    "cw_alarm_history",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("region", String, nullable=False),
    Column("alarm_name", String, nullable=False),
    Column("ts", Float, nullable=False),
    Column("kind", String, nullable=False),  # ConfigurationUpdate | StateUpdate | Action
    Column("summary", Text, nullable=False),
    Column("data", Text, nullable=False),
)
Index(
    "cw_alarm_history_by_alarm",
    cw_alarm_history.c.region,
    cw_alarm_history.c.alarm_name,
    cw_alarm_history.c.ts,
)
Index("cw_alarm_history_by_time", cw_alarm_history.c.region, cw_alarm_history.c.ts)

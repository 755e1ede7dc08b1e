"""CloudWatch Logs tables: log groups, log streams and the events themselves.

Events are rows, not blobs: a container that prints for a week must still answer
GetLogEvents and FilterLogEvents by an index seek. Every event has a global, ever-growing
`id` (AUTOINCREMENT, so never reused after a delete); `(timestamp, id)` is the total
order AWS documents (time, then arrival) and the position pagination tokens carry. Two
indexes serve the two ways events are read: one stream in time order (GetLogEvents, and
FilterLogEvents on named streams) and a whole group in time order (FilterLogEvents).

Times are integer milliseconds, as the Logs API carries them.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)

from .base import metadata

log_groups = Table(
    "log_groups",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("region", String, nullable=False),
    Column("name", String, nullable=False),
    Column("creation_time", BigInteger, nullable=False),
    Column("retention_in_days", Integer),
    Column("stored_bytes", BigInteger, nullable=False, default=0),
    Column("log_group_class", String, nullable=False, default="STANDARD"),
    Column("kms_key_id", String),
    Column("deletion_protection", Boolean, nullable=False, default=False),
    Column("tags", JSON, nullable=False, default=dict),
)
Index("log_groups_by_name", log_groups.c.region, log_groups.c.name, unique=True)

log_streams = Table(
    "log_streams",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("group_id", Integer, ForeignKey("log_groups.id"), nullable=False),
    Column("name", String, nullable=False),
    Column("creation_time", BigInteger, nullable=False),
    Column("first_event_timestamp", BigInteger),
    Column("last_event_timestamp", BigInteger),
    # lastEventTimestamp, or 0 while the stream is empty: the NOT NULL sort key of
    # DescribeLogStreams' orderBy=LastEventTime, so that its pages are index seeks too.
    Column("last_event_order", BigInteger, nullable=False, default=0),
    Column("last_ingestion_time", BigInteger),
    Column("stored_bytes", BigInteger, nullable=False, default=0),
    # How many PutLogEvents batches the stream has taken: the uploadSequenceToken.
    Column("uploads", Integer, nullable=False, default=0),
)
Index("log_streams_by_name", log_streams.c.group_id, log_streams.c.name, unique=True)
Index(
    "log_streams_by_last_event",
    log_streams.c.group_id,
    log_streams.c.last_event_order,
    log_streams.c.name,
)

log_events = Table(
    "log_events",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("group_id", Integer, ForeignKey("log_groups.id"), nullable=False),
    Column("stream_id", Integer, ForeignKey("log_streams.id"), nullable=False),
    Column("timestamp", BigInteger, nullable=False),
    Column("ingestion_time", BigInteger, nullable=False),
    Column("message", Text, nullable=False),
    sqlite_autoincrement=True,
)
Index("log_events_by_stream", log_events.c.stream_id, log_events.c.timestamp, log_events.c.id)
Index("log_events_by_group", log_events.c.group_id, log_events.c.timestamp, log_events.c.id)

# Metric filters (PutMetricFilter): stored with their transformations so that the metrics
# side (issue #15) can read which events count for which metric.
log_metric_filters = Table(
    "log_metric_filters",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("group_id", Integer, ForeignKey("log_groups.id"), nullable=False),
    Column("region", String, nullable=False),
    Column("group_name", String, nullable=False),
    Column("name", String, nullable=False),
    Column("creation_time", BigInteger, nullable=False),
    Column("pattern", Text, nullable=False),
    Column("transformations", JSON, nullable=False),
    Column("doc", JSON, nullable=False),  # the other settings, as DescribeMetricFilters shows
)
Index(
    "log_metric_filters_by_name",
    log_metric_filters.c.region,
    log_metric_filters.c.group_name,
    log_metric_filters.c.name,
    unique=True,
)

# Logs Insights queries (StartQuery): the query, its status and, once run, its answer.
log_queries = Table(
    "log_queries",
    metadata,
    Column("id", String, primary_key=True),
    Column("region", String, nullable=False),
    Column("create_time", BigInteger, nullable=False),
    Column("status", String, nullable=False),
    Column("query_string", Text, nullable=False),
    Column("group_names", JSON, nullable=False),
    Column("answer", JSON, nullable=False),  # results and statistics, GetQueryResults' shape
)
Index("log_queries_by_time", log_queries.c.region, log_queries.c.create_time, log_queries.c.id)

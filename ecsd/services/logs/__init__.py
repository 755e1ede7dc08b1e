"""Amazon CloudWatch Logs: log groups, streams and events, one module per resource family,
plus `ingest`, the path by which container output becomes log events."""

from . import events, filtering, groups, metric_filters, queries, streams, tags  # noqa: F401  (registration)
from .api import logs

__all__ = ["logs"]

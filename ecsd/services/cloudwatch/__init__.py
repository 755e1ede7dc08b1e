"""Amazon CloudWatch metrics on the ecsd endpoint (RPC v2 CBOR, JSON and Query)."""

from . import alarms, history, metric_data, metrics, tags  # noqa: F401  (registration)
from .api import cloudwatch

__all__ = ["cloudwatch"]

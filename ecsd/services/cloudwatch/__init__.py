"""Amazon CloudWatch metrics on the ecsd endpoint (RPC v2 CBOR, JSON and Query)."""

from . import metrics  # noqa: F401  (registration)
from .api import cloudwatch

__all__ = ["cloudwatch"]

"""Timestamp conversions shared by the protocols: providers hand out epoch floats or
aware datetimes; JSON protocols send epoch seconds, XML ones ISO 8601."""

from __future__ import annotations

import datetime as dt
from typing import Any

from botocore.utils import parse_timestamp


def to_epoch(value: Any) -> float:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.timestamp()
    return float(value)


def to_iso8601(value: Any) -> str:
    stamp = dt.datetime.fromtimestamp(to_epoch(value), tz=dt.UTC)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + f"{stamp.microsecond // 1000:03d}Z"


def from_wire(value: Any) -> float:
    """Epoch seconds from a number or any string form botocore itself accepts."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value)
        except ValueError:
            return parse_timestamp(value).timestamp()
    raise TypeError(value)

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


# The instants a datetime can hold (years 1 to 9999): a timestamp outside them could not
# be answered back, nor compared with stored ones.
_EARLIEST, _LATEST = -62135596800.0, 253402300799.0


def from_wire(value: Any) -> float:
    """Epoch seconds from a number or any string form botocore itself accepts; ValueError
    for anything else, including numbers no date can have (NaN, 1e300)."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        try:
            seconds = float(value)
        except OverflowError:
            raise ValueError(value) from None
    elif isinstance(value, str):
        try:
            seconds = float(value)
        except ValueError:
            try:
                seconds = parse_timestamp(value).timestamp()
            except Exception:  # dateutil raises several kinds for garbage
                raise ValueError(value[:100]) from None
    else:
        raise TypeError(value)
    if not _EARLIEST <= seconds <= _LATEST:  # also false for NaN
        raise ValueError(value)
    return seconds

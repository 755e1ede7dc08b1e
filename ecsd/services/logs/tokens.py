"""Positions in the event order, and the pagination tokens and event ids that carry them.

Events are ordered by `(timestamp, id)`; `id` is unique and only grows. A position is a
*gap* in that order, written as the key of the event just before it: everything with a
key <= the gap is behind it, everything > is ahead. The gap just before an event
`(t, i)` is `(t, i - 1)`, since no key lies between the two.

GetLogEvents tokens have AWS's shape, `f/<56 digits>/s` (read forward from the gap) and
`b/<56 digits>/s` (read backward from it). They encode the gap only, so asking again with
a forward token when nothing new arrived answers that same token — which is how `aws logs
get-log-events` loops and SDK helpers know they have reached the end. FilterLogEvents
tokens are opaque, as AWS's are.
"""

from __future__ import annotations

import re

from ...aws.errors import AwsError
from .. import pagination

Key = tuple[int, int]

_STREAM_TOKEN = re.compile(r"^([fb])/([0-9]{28})([0-9]{28})(?:/s)?$")
INVALID = "The specified nextToken is invalid."


def event_id(key: Key) -> str:
    """A FilterLogEvents `eventId`: 56 digits, as AWS's are, unique per event."""
    return f"{key[0]:028d}{key[1]:028d}"


def stream_token(direction: str, gap: Key) -> str:
    return f"{direction}/{gap[0]:028d}{gap[1]:028d}/s"


def parse_stream_token(token: str) -> tuple[str, Key]:
    m = _STREAM_TOKEN.match(token)
    if m is None:
        raise AwsError("InvalidParameterException", INVALID)
    key = (int(m.group(2)), int(m.group(3)))
    if max(key) > 2**63 - 1:  # 28 digits hold more than SQLite's integers can
        raise AwsError("InvalidParameterException", INVALID)
    return m.group(1), key


def filter_token(direction: str, gap: Key) -> str:
    return pagination.encode_token([direction, gap[0], gap[1]])


def parse_filter_token(params: dict[str, object]) -> tuple[str, Key] | None:
    token = params.get("nextToken")
    error = AwsError("InvalidParameterException", INVALID)
    value = pagination.decode_token(
        token if isinstance(token, str) else None, [str, int, int], error=error
    )
    if value is None:
        return None
    if value[0] not in ("f", "b"):
        raise error
    return value[0], (value[1], value[2])

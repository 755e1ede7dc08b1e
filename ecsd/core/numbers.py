"""Numbers written inside names: a task definition's `family:12`, a parameter's `name:3`.

`str.isdigit()` and `int()` also take "１２", "²" and a hundred digits, none of which AWS
reads as a revision, and a number beyond 64 bits cannot be bound to SQLite (the query
fails with an internal error). One parse for every such place.
"""

from __future__ import annotations

import re

_DECIMAL = re.compile(r"[0-9]{1,19}", re.ASCII)
INT64_MAX = 2**63 - 1


def decimal(text: str, *, high: int = INT64_MAX) -> int | None:
    """`text` as a non-negative ASCII decimal no larger than `high`; None otherwise."""
    if not _DECIMAL.fullmatch(text):
        return None
    value = int(text)
    return value if value <= high else None

"""Keyset pages over an ordered query, with a filter that SQL does not express.

Parameter Store and Secrets Manager both filter on things kept in JSON (tags, labels,
descriptions). A page is read in batches along an index, in key order, keeping the rows
the filter accepts, until the page is full: the token is the key of the last row
returned, so the next page starts with one index seek however far into the list it is.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Row, tuple_
from sqlalchemy.sql import ColumnElement, Select

from ...aws.errors import AwsError


def encode_token(key: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode()


def decode_token(token: str | None, *, width: int, error: AwsError) -> list[Any] | None:
    if not token:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError):
        raise error from None
    if not isinstance(key, list) or len(key) != width:
        raise error
    return key


def scan(
    conn: Connection,
    query: Select[Any],
    columns: Sequence[ColumnElement[Any]],
    after: list[Any] | None,
    size: int,
    keep: Callable[[Row[Any]], bool] | None = None,
    *,
    descending: bool = False,
) -> tuple[list[Row[Any]], list[Any] | None]:
    """Up to `size` rows of `query` that `keep` accepts, after the key `after`, in the
    order of `columns`; and the key to continue from (None when nothing is left)."""
    key = tuple_(*columns) if len(columns) > 1 else columns[0]
    order = [c.desc() for c in columns] if descending else list(columns)
    query = query.order_by(*order)
    batch = size + 1 if keep is None else max(4 * size, 50)
    found: list[Row[Any]] = []
    while True:
        q = query
        if after is not None:
            bound = tuple_(*after) if len(columns) > 1 else after[0]
            q = q.where(key < bound if descending else key > bound)
        got = conn.execute(q.limit(batch)).all()
        for row in got:
            if keep is None or keep(row):
                found.append(row)
                if len(found) > size:
                    return found[:size], _key(found[size - 1], columns)
        if len(got) < batch:
            return found, None
        after = _key(got[-1], columns)


def _key(row: Row[Any], columns: Sequence[ColumnElement[Any]]) -> list[Any]:
    return [row._mapping[c] for c in columns]

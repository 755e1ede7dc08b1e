"""`maxResults` / `nextToken` for List operations, the way botocore's paginators expect:
the one keyset paginator every service uses.

The token is opaque to clients: base64 of the sort key of the last item returned (a JSON
list, one value per key column), so a page is found by an index seek however many items
come before it (keyset pagination), and items added or removed between pages neither
repeat nor vanish. A filter SQL does not express (tags, labels, descriptions kept in
JSON) is applied while reading in batches along the index, until the page is full.

A token comes back from the client, so it is decoded strictly: base64, a JSON list of
exactly the key's arity, each value of its column's type and range. Anything else is the
service's own invalid-token error, never a value handed to SQL (a forged token once
made a 5xx).
"""

from __future__ import annotations

import base64
import binascii
import json
import math
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import Connection, Row, tuple_
from sqlalchemy.sql import ColumnElement, Select

from ..aws.errors import AwsError

# ECS's and CloudWatch Logs' answer to a token they did not issue.
INVALID_TOKEN = AwsError("InvalidParameterException", "Invalid nextToken.")
# No token ecsd issues comes near this; a longer one is forged.
TOKEN_MAX = 8192
_INT64 = (-(2**63), 2**63 - 1)


def page_size(
    params: dict[str, Any], *, default: int, maximum: int, error: str = "InvalidParameterException"
) -> int:
    size = params.get("maxResults")
    if size is None:
        return default
    if not 1 <= size <= maximum:
        raise AwsError(error, f"maxResults must be between 1 and {maximum}.")
    return int(size)


def encode_token(key: Sequence[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(list(key)).encode()).decode()


def kinds_of(columns: Sequence[ColumnElement[Any]]) -> list[type]:
    """The Python type each key column's values have (what a token may hold for it)."""
    out: list[type] = []
    for c in columns:
        try:
            out.append(c.type.python_type)
        except NotImplementedError:
            out.append(str)
    return out


def decode_token(
    token: str | None, kinds: Sequence[type], *, error: AwsError = INVALID_TOKEN
) -> list[Any] | None:
    """The key a token holds, checked against `kinds` (one type per key value): None for
    no token, `error` raised for any token ecsd could not have issued."""
    if not token:
        return None
    if len(token) > TOKEN_MAX:
        raise error
    try:
        raw = base64.b64decode(token.encode("ascii"), altchars=b"-_", validate=True)
        key = json.loads(raw, parse_constant=_refuse)
    except (ValueError, TypeError, UnicodeError, binascii.Error, RecursionError):
        raise error from None
    if not isinstance(key, list) or len(key) != len(kinds):
        raise error
    for value, kind in zip(key, kinds, strict=True):
        if not _fits(value, kind):
            raise error
    return key


def _refuse(name: str) -> Any:
    raise ValueError(name)


def _fits(value: Any, kind: type) -> bool:
    if isinstance(value, bool):
        return kind is bool
    if kind is int:
        return isinstance(value, int) and _INT64[0] <= value <= _INT64[1]
    if kind is float:
        return isinstance(value, int | float) and math.isfinite(value)
    if kind is str:
        if not isinstance(value, str):
            return False
        try:
            value.encode("utf-8")  # a lone surrogate cannot be bound to SQLite
        except UnicodeEncodeError:
            return False
        return True
    return False


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
    query = query.order_by(None).order_by(*order)  # the key is the order, whatever came before
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


def keyset_page(
    conn: Connection,
    query: Select[Any],
    columns: Sequence[ColumnElement[Any]],
    params: dict[str, Any],
    *,
    default: int = 100,
    maximum: int = 100,
    descending: bool = False,
    error: AwsError = INVALID_TOKEN,
) -> tuple[list[Row[Any]], str | None]:
    """One page of `query` by `columns` for an ECS-style List (`maxResults`,
    `nextToken`), and the token for the next page (None on the last)."""
    size = page_size(params, default=default, maximum=maximum)
    after = decode_token(params.get("nextToken"), kinds_of(columns), error=error)
    rows, next_key = scan(conn, query, columns, after, size, descending=descending)
    return rows, encode_token(next_key) if next_key is not None else None


def result(name: str, items: list[Any], token: str | None) -> dict[str, Any]:
    """A List answer: `{name: items}`, with `nextToken` only when there is a next page."""
    out: dict[str, Any] = {name: items}
    if token:
        out["nextToken"] = token
    return out

"""`maxResults` / `nextToken` for List operations, the way botocore's paginators expect.

The token is opaque to clients: base64 of the sort key of the last item returned, so a
page is found by an index seek however many items come before it (keyset pagination),
and items added or removed between pages neither repeat nor vanish.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from typing import Any

from sqlalchemy import Connection, Row
from sqlalchemy.sql import ColumnElement, Select

from ..aws.errors import AwsError


def page_size(
    params: dict[str, Any], *, default: int, maximum: int, error: str = "InvalidParameterException"
) -> int:
    size = params.get("maxResults")
    if size is None:
        return default
    if not 1 <= size <= maximum:
        raise AwsError(error, f"maxResults must be between 1 and {maximum}.")
    return int(size)


def decode_token(params: dict[str, Any], *, error: str = "InvalidParameterException") -> Any:
    token = params.get("nextToken")
    if not token:
        return None
    try:
        return json.loads(base64.urlsafe_b64decode(token.encode()))
    except (ValueError, TypeError):
        raise AwsError(error, "Invalid nextToken.") from None


def encode_token(key: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(key).encode()).decode()


def keyset_page(
    conn: Connection,
    query: Select[Any],
    key: ColumnElement[Any],
    key_of: Callable[[Row[Any]], Any],
    params: dict[str, Any],
    *,
    default: int = 100,
    maximum: int = 100,
    descending: bool = False,
) -> tuple[list[Row[Any]], str | None]:
    """One page of `query` (already ordered by `key`) after the token's key, and the
    token for the next page (None on the last). `key_of(row)` is a row's key as JSON."""
    size = page_size(params, default=default, maximum=maximum)
    after = decode_token(params)
    if after is not None:
        bound = tuple(after) if isinstance(after, list) else after
        query = query.where(key < bound if descending else key > bound)
    rows = list(conn.execute(query.limit(size + 1)))
    token = encode_token(key_of(rows[size - 1])) if len(rows) > size else None
    return rows[:size], token


def result(name: str, items: list[Any], token: str | None) -> dict[str, Any]:
    """A List answer: `{name: items}`, with `nextToken` only when there is a next page."""
    out: dict[str, Any] = {name: items}
    if token:
        out["nextToken"] = token
    return out

"""`Marker` / `PageSize` / `NextMarker`, ELBv2's paging, over the one keyset paginator
(services/pagination.py): the marker is the same opaque token ECS's nextToken is."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.keyset import Keyset
from .. import pagination

# ecsd's own wording: ELBv2 answers a marker it did not issue with a ValidationError.
INVALID_MARKER = AwsError("ValidationError", "The marker is not valid.")
DEFAULT_PAGE = 400  # ELBv2 answers up to 400 items when PageSize is not given


def page(ctx: Context, keyset: Keyset, params: dict[str, Any]) -> tuple[list[Row[Any]], str | None]:
    """One page of `keyset` and the NextMarker (None on the last page)."""
    size = int(params.get("PageSize") or DEFAULT_PAGE)
    after = pagination.decode_token(
        params.get("Marker"), pagination.kinds_of(keyset.key), error=INVALID_MARKER
    )
    rows, next_key = pagination.scan(ctx.conn, keyset.query, keyset.key, after, size)
    return rows, pagination.encode_token(next_key) if next_key is not None else None


def slice_list(items: list[Any], params: dict[str, Any]) -> tuple[list[Any], str | None]:
    """A page of a short fixed list (SSL policies, account limits): the marker is the
    index to continue from, encoded like any other."""
    size = int(params.get("PageSize") or DEFAULT_PAGE)
    after = pagination.decode_token(params.get("Marker"), [int], error=INVALID_MARKER)
    start = after[0] if after else 0
    if start < 0:
        raise INVALID_MARKER
    chunk = items[start : start + size]
    more = start + size < len(items)
    return chunk, pagination.encode_token([start + size]) if more else None


def answer(name: str, items: list[Any], marker: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {name: items}
    if marker:
        out["NextMarker"] = marker
    return out

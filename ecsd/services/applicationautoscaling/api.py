"""The Application Auto Scaling provider object, and the paging its Describe operations
share (MaxResults up to 50, NextToken), on the one keyset paginator."""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context, Provider
from ...model.keyset import Keyset
from .. import pagination

applicationautoscaling = Provider(
    "application-autoscaling",
    validation_error="ValidationException",
    internal_error="InternalServiceException",
)

# ecsd's own text for a token it did not issue (AWS's code).
INVALID_TOKEN = AwsError("InvalidNextTokenException", "Invalid NextToken.")
MAX_RESULTS = 50


def page(
    ctx: Context, keyset: Keyset, p: dict[str, Any], *, descending: bool = False
) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the keyset's documents (`doc` column) and the next token."""
    size = p.get("MaxResults")
    if size is None:
        size = MAX_RESULTS
    elif not 1 <= size <= MAX_RESULTS:
        # ecsd's own text.
        raise AwsError("ValidationException", f"MaxResults must be between 1 and {MAX_RESULTS}.")
    after = pagination.decode_token(
        p.get("NextToken"), pagination.kinds_of(keyset.key), error=INVALID_TOKEN
    )
    rows, next_key = pagination.scan(
        ctx.conn, keyset.query, keyset.key, after, size, descending=descending
    )
    token = pagination.encode_token(next_key) if next_key is not None else None
    return [dict(r.doc) for r in rows], token


def answer(name: str, items: list[dict[str, Any]], token: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {name: items}
    if token:
        out["NextToken"] = token
    return out

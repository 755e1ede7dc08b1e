"""IAM's paging: Marker in, IsTruncated + Marker out, MaxItems (1–1000, default 100)."""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from .. import pagination

# ecsd's own text: IAM's answer for a marker it did not issue is not documented.
BAD_MARKER = AwsError("ValidationError", "Invalid Marker.")


def page(
    conn: Any, query: Any, columns: Any, p: dict[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    after = pagination.decode_token(p.get("Marker"), pagination.kinds_of(columns), error=BAD_MARKER)
    rows, next_key = pagination.scan(conn, query, columns, after, p.get("MaxItems") or 100)
    out: dict[str, Any] = {"IsTruncated": next_key is not None}
    if next_key is not None:
        out["Marker"] = pagination.encode_token(next_key)
    return list(rows), out

"""`maxResults` / `nextToken` for List operations, the way botocore's paginators expect.

The token is opaque to clients: base64 of the sort key of the last item returned, so a
page is found by an index seek however many items come before it (keyset pagination),
and items added or removed between pages neither repeat nor vanish.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from ..aws.errors import AwsError


def page_size(params: dict[str, Any], *, default: int, maximum: int,
              error: str = "InvalidParameterException") -> int:
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

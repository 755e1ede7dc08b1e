"""ListSecrets: sorted by creation (default), change time or name, either way round,
paged by that key (keyset, see services/pagination.py), with Secrets Manager's filters.

Filters, as documented: `name`, `tag-key`, `tag-value` match a prefix, case-sensitive;
`description` and `all` match words (split at punctuation and at a lower-to-upper case
change), case-insensitive, `all` across name, description and tags. A value starting
with `!` negates. Values of one filter are alternatives; filters all apply.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from sqlalchemy import Row

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.secretsmanager import secrets
from .. import pagination
from .api import secretsmanager
from .secrets import describe

BAD_TOKEN = AwsError("InvalidNextTokenException", "You provided an invalid NextToken value.")
_WORD = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|[0-9]+")


def _words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def _word_match(value: str, texts: list[str]) -> bool:
    wanted = _words(value)
    have = [w for t in texts for w in _words(t)]
    return bool(wanted) and all(any(h.startswith(w) for h in have) for w in wanted)


def _attribute(key: str, row: Row[Any]) -> tuple[list[str], Callable[[str, list[str]], bool]]:
    tags = row.doc.get("Tags") or []
    description = row.doc.get("Description") or ""

    def prefix(value: str, texts: list[str]) -> bool:
        return any(t.startswith(value) for t in texts)

    def prefix_or_words(value: str, texts: list[str]) -> bool:
        return any(t.lower().startswith(value.lower()) for t in texts) or _word_match(value, texts)

    if key == "name":
        return [row.name], prefix
    if key == "tag-key":
        return [t["Key"] for t in tags], prefix
    if key == "tag-value":
        return [t["Value"] for t in tags], prefix
    if key == "description":
        return ([description] if description else []), prefix_or_words
    if key == "all":
        return (
            [row.name, description] + [t["Key"] for t in tags] + [t["Value"] for t in tags]
        ), _word_match
    return [], prefix  # primary-region, owning-service: never set on ecsd's secrets


def matches(f: dict[str, Any], row: Row[Any]) -> bool:
    """Whether the secret passes one ListSecrets filter (BatchGetSecretValue's too)."""
    texts, match = _attribute(f["Key"], row)
    for value in f.get("Values") or []:
        if value.startswith("!"):
            if not match(value[1:], texts):
                return True
        elif match(value, texts):
            return True
    return False


def check_filters(filters: list[dict[str, Any]]) -> None:
    for f in filters:
        if not f.get("Key") or not f.get("Values"):
            raise AwsError(
                "InvalidParameterException",
                "Invalid filter: each filter needs a Key and at least one value.",
            )


@secretsmanager.operation("ListSecrets")
def list_secrets(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    filters = p.get("Filters") or []
    check_filters(filters)
    q, columns = secrets.listing(
        ctx,
        sort_by=p.get("SortBy") or "created-date",
        include_planned_deletion=bool(p.get("IncludePlannedDeletion")),
    )
    after = pagination.decode_token(
        p.get("NextToken"), pagination.kinds_of(columns), error=BAD_TOKEN
    )
    page, next_key = pagination.scan(
        ctx.conn,
        q,
        columns,
        after,
        p.get("MaxResults") or 100,
        lambda row: all(matches(f, row) for f in filters),
        descending=p.get("SortOrder") == "desc",
    )
    out: dict[str, Any] = {
        "SecretList": [describe(ctx, r, key="SecretVersionsToStages") for r in page]
    }
    if next_key is not None:
        out["NextToken"] = pagination.encode_token(next_key)
    return out

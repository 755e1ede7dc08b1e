"""Rule conditions: checked with ELBv2's limits and stored as DescribeRules shows them.

Both forms are accepted: the legacy `Values` (host-header and path-pattern only) and the
`*Config` structures. Stored, host-header and path-pattern carry both forms (as AWS
answers); the other fields their config only. Limits (AWS's): one condition per field
except http-header and query-string, at most 5 values over a rule's conditions, values of
at most 128 characters. Texts are ecsd's own where marked.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Any

from .defaults import invalid

FIELDS = (
    "host-header",
    "path-pattern",
    "http-header",
    "http-request-method",
    "query-string",
    "source-ip",
)
CONFIG = {
    "host-header": "HostHeaderConfig",
    "path-pattern": "PathPatternConfig",
    "http-header": "HttpHeaderConfig",
    "http-request-method": "HttpRequestMethodConfig",
    "query-string": "QueryStringConfig",
    "source-ip": "SourceIpConfig",
}
MAX_VALUES = 5
MAX_WILDCARDS = 5  # `*` and `?` over a rule's host-header and path-pattern values
MAX_LENGTH = 128
_HOST = re.compile(r"^[A-Za-z0-9.*?-]+$")
_PATH = re.compile(r"^[A-Za-z0-9_\-.$/~\"'@:+&()!,;=*?%]+$")
_METHOD = re.compile(r"^[A-Z_-]{1,40}$")
_HEADER = re.compile(r"^[A-Za-z0-9!#$%&'*+.^_`|~-]{1,40}$")


def check(conditions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conditions as stored; refuses bad ones (ValidationError)."""
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    total = 0
    for cond in conditions:
        field = cond.get("Field")
        if field not in FIELDS:
            raise invalid(
                f"Condition field '{field}' must be one of '[{', '.join(FIELDS)}]'"
            )  # ecsd's own wording
        if field in seen and field not in ("http-header", "query-string"):
            raise invalid(f"A rule can have only one '{field}' condition")  # ecsd's own wording
        seen.add(field)
        shaped = _one(field, cond)
        total += _count(field, shaped)
        out.append(shaped)
    if total > MAX_VALUES:
        raise invalid(f"A rule can only have '{MAX_VALUES}' condition values")  # ecsd's own
    wildcards = sum(
        v.count("*") + v.count("?")
        for c in out
        if c["Field"] in ("host-header", "path-pattern")
        for v in c["Values"]
    )
    if wildcards > MAX_WILDCARDS:
        raise invalid(f"A rule can only have '{MAX_WILDCARDS}' wildcards")  # ecsd's own
    return out


def _values(field: str, cond: dict[str, Any]) -> list[str]:
    legacy = cond.get("Values")
    config = (cond.get(CONFIG[field]) or {}).get("Values")
    if legacy and config is not None and list(legacy) != list(config):
        raise invalid(
            f"You cannot specify both 'Values' and '{CONFIG[field]}' for a '{field}' condition"
        )  # ecsd's own wording
    values = list(config if config is not None else legacy or [])
    if not values:
        raise invalid(f"A '{field}' condition must have at least one value")  # ecsd's own
    for v in values:
        if len(v) > MAX_LENGTH:
            raise invalid(
                f"The value '{v}' of a '{field}' condition cannot be longer than "
                f"'{MAX_LENGTH}' characters"
            )  # ecsd's own wording
    return values


def _one(field: str, cond: dict[str, Any]) -> dict[str, Any]:
    key = CONFIG[field]
    if field in ("host-header", "path-pattern"):
        values = _values(field, cond)
        pattern = _HOST if field == "host-header" else _PATH
        for v in values:
            if not pattern.match(v):
                raise invalid(f"The value '{v}' is not valid for a '{field}' condition")
        return {"Field": field, "Values": values, key: {"Values": values}}
    if cond.get("Values"):
        raise invalid(
            f"A '{field}' condition takes its values in '{key}', not in 'Values'"
        )  # ecsd's own wording
    config = cond.get(key) or {}
    if field == "http-header":
        name = config.get("HttpHeaderName")
        if not name or not _HEADER.match(name):
            raise invalid("An 'http-header' condition must name a valid header (HttpHeaderName)")
        values = _values(field, cond)
        return {"Field": field, key: {"HttpHeaderName": name, "Values": values}}
    if field == "http-request-method":
        values = _values(field, cond)
        for v in values:
            if not _METHOD.match(v):
                raise invalid(
                    f"The method '{v}' is not valid: use upper-case letters, '_' and '-'"
                )  # ecsd's own wording
        return {"Field": field, key: {"Values": values}}
    if field == "source-ip":
        values = _values(field, cond)
        for v in values:
            try:
                ipaddress.ip_network(v, strict=False)
            except ValueError:
                raise invalid(f"The source IP '{v}' is not a valid CIDR block") from None
        return {"Field": field, key: {"Values": values}}
    pairs = config.get("Values") or []
    if not pairs:
        raise invalid("A 'query-string' condition must have at least one value")
    shaped = []
    for p in pairs:
        if not p.get("Value"):
            raise invalid("Each 'query-string' condition value must have a Value")
        item = {"Value": p["Value"]}
        if p.get("Key"):
            item = {"Key": p["Key"], "Value": p["Value"]}
        if sum(len(x) for x in item.values()) > MAX_LENGTH:
            raise invalid("A query-string key and value cannot be longer than 128 characters")
        shaped.append(item)
    return {"Field": field, key: {"Values": shaped}}


def _count(field: str, shaped: dict[str, Any]) -> int:
    return len(shaped[CONFIG[field]]["Values"])

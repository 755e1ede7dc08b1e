"""EC2's generic `Filters=[{Name, Values}]`, as every Describe call takes them.

A resource passes when it passes every filter; it passes a filter when one of the
filter's values matches one of the resource's values for that name. Values may hold
EC2's wildcards (`*` any run of characters, `?` one character, `\\` escapes the next
one), compared case-sensitively. `tag:<key>` matches the value of that tag,
`tag-key` any tag's key, `tag-value` any tag's value. A name the call does not know is
refused with InvalidParameterValue "The filter '<name>' is invalid" (EC2's text for
DescribeVpcs and its siblings).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import lru_cache
from typing import Any, TypeVar

from .errors import invalid_value

T = TypeVar("T")
# What one filter name reads of a resource: its value(s) for that name.
Field = Callable[[Any], Any]


def text(value: Any) -> str:
    """A resource's value as EC2 compares it (booleans lower-case, numbers as written)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _values(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple | set | frozenset):
        return [text(v) for v in value if v is not None]
    return [text(value)]


@lru_cache(maxsize=512)
def _pattern(value: str) -> re.Pattern[str]:
    out, i = [], 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            out.append(re.escape(value[i + 1]))
            i += 2
            continue
        out.append(".*" if ch == "*" else "." if ch == "?" else re.escape(ch))
        i += 1
    return re.compile("".join(out), re.DOTALL)


def matches(patterns: Sequence[str], values: Iterable[str]) -> bool:
    """Whether one of `values` matches one of the filter's `patterns`."""
    have = list(values)
    return any(_pattern(p).fullmatch(v) for p in patterns for v in have)


def check(filters: Sequence[Mapping[str, Any]] | None, fields: Mapping[str, Field]) -> None:
    """Refuse a filter name that neither `fields` nor the tag filters know."""
    for f in filters or []:
        name = f.get("Name") or ""
        if name in fields or name in ("tag-key", "tag-value") or name.startswith("tag:"):
            continue
        raise invalid_value(f"The filter '{name}' is invalid")


def select(
    items: Iterable[T],
    filters: Sequence[Mapping[str, Any]] | None,
    fields: Mapping[str, Field],
    tags_of: Callable[[T], Mapping[str, str]] = lambda _: {},
) -> list[T]:
    """The items that pass every filter (the names checked first, so a bad name is
    refused even when there is nothing to filter)."""
    check(filters, fields)
    wanted = [(f.get("Name") or "", list(f.get("Values") or [])) for f in filters or []]
    out: list[T] = []
    for item in items:
        if all(_passes(item, name, values, fields, tags_of) for name, values in wanted):
            out.append(item)
    return out


def _passes(
    item: Any,
    name: str,
    patterns: list[str],
    fields: Mapping[str, Field],
    tags_of: Callable[[Any], Mapping[str, str]],
) -> bool:
    if name in fields:
        return matches(patterns, _values(fields[name](item)))
    tags = tags_of(item)
    if name == "tag-key":
        return matches(patterns, tags.keys())
    if name == "tag-value":
        return matches(patterns, tags.values())
    key = name[len("tag:") :]
    return key in tags and matches(patterns, [tags[key]])

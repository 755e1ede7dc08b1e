r"""Check decoded input against the constraints the botocore model declares.

Decoding (protocols/) already produced Python values of the right types; this checks
what the model says about them: required members, enums, lengths and ranges, plus the
list maximums AWS documents that the model lacks (limits.py). The message follows the
text AWS's own front end uses, e.g.
`1 validation error detected: Value null at 'family' failed to satisfy constraint:
Member must not be null`, or `2 validation errors detected: Value '51' at 'maxResults'
failed to satisfy constraint: Member must have value less than or equal to 50; Value '[]'
at 'names' ...`: every problem, joined by "; ".

How AWS writes the parts (seen in its answers): the member path uses each member's name
with its first letter lowered (SSM's `MaxResults` is `'maxResults'`, DynamoDB's
`GlobalSecondaryIndexes.2.member.Projection` is
`'globalSecondaryIndexes.2.member.projection'`), list items are `<list>.<n>.member` from
1 and map values `<map>.<key>.member`; the value is printed as its Java `toString()`:
`'51'`, `'true'`, `'[]'`, `'[a, b]'`, `'{k=v}'`, and a structure as
`Shape(member=value, ...)`. A sensitive member's value is never printed: the text is then
`Value at '<path>' ...`, the form AWS uses where it leaves a value out.

A string's `pattern` is checked only for the services whose front end is known to enforce
it (`patterns=True`: CloudWatch Logs, Parameter Store), with AWS's text `Member must
satisfy regular expression pattern: <the model's pattern>`. The patterns are Java's;
those Python's `re` cannot read (Unicode classes such as `\p{L}`, used for tags) are
not checked, and `\w`/`\d` are ASCII, as in Java.

The work is bounded by the request's size, and the answer by less: a list longer than
its maximum is refused before its items are looked at, the values quoted are cut
(errors.clip), and at most MAX_PROBLEMS problems are collected.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from . import limits
from .errors import SHOWN_MAX, ValidationError, clip

# AWS lists every problem; past this many, more would only make the answer longer.
MAX_PROBLEMS = 20


class _Enough(Exception):
    """Raised once MAX_PROBLEMS are found: the rest of the input is not looked at."""


def validate(
    shape: StructureShape | None,
    value: dict[str, Any],
    *,
    error_code: str,
    operation: OperationModel | None = None,
    patterns: bool = False,
) -> None:
    if shape is None:
        return
    bounds: dict[str, int] = {}
    if operation is not None:
        service = operation.service_model.service_name
        bounds = limits.for_operation(service, operation.name)
        _check_documented(service, operation.name, bounds, shape, value, error_code)
        _check_own_enums(service, shape, value, error_code)
    problems: list[str] = []
    try:
        _check(shape, value, "", problems, patterns)
    except _Enough:
        pass
    if problems:
        n = len(problems)
        # "20+" where collection stopped is ecsd's own: AWS states the exact count.
        head = f"{n}{'+' if n >= MAX_PROBLEMS else ''} validation error{'s' if n > 1 else ''}"
        raise ValidationError(error_code, head + " detected: " + "; ".join(problems))


def _check_documented(
    service: str,
    operation: str,
    bounds: dict[str, int],
    shape: StructureShape,
    value: dict[str, Any],
    error_code: str,
) -> None:
    for path, maximum in bounds.items():
        found: Any = value
        where: Shape | None = shape
        for name in path.split("."):
            found = found.get(name) if isinstance(found, dict) else None
            where = where.members.get(name) if isinstance(where, StructureShape) else None
        if not isinstance(found, list) or len(found) <= maximum:
            continue
        member = path.rsplit(".", 1)[-1]
        known = limits.message(service, operation, path)
        if known is not None:
            message = known
        elif service == "ecs":
            message = f"{member} can have at most {maximum} items."
        else:
            wire = ".".join(_wire(name) for name in path.split("."))
            message = (
                f"1 validation error detected: Value '{_render(where, found)}' at '{wire}' "
                "failed to satisfy constraint: Member must have length less than or equal "
                f"to {maximum}"
            )
        raise ValidationError(error_code, message)


def _check_own_enums(
    service: str, shape: StructureShape, value: dict[str, Any], error_code: str
) -> None:
    """Top-level enum lists the service checks itself, in its words (limits.OWN_ENUM_WORDS)."""
    for name, items in value.items():
        words = limits.own_enum_words(service, name)
        member = shape.members.get(name)
        if words is None or not isinstance(member, ListShape) or not isinstance(items, list):
            continue
        enum = member.member.metadata.get("enum") or []
        if any(item not in enum for item in items):
            raise ValidationError(error_code, words.format(values=",".join(enum)))


def _wire(name: str) -> str:
    """A member's name as AWS's front end writes it in a path: first letter lowered."""
    return name[:1].lower() + name[1:]


def _where(path: str) -> str:
    return clip(path.lstrip("."), 200)


def _add(problems: list[str], text: str) -> None:
    problems.append(text)
    if len(problems) >= MAX_PROBLEMS:
        raise _Enough


def _value_at(shape: Shape, value: Any, path: str) -> str:
    """`Value '<v>' at '<path>'`, or `Value at '<path>'` for a sensitive member."""
    if shape.metadata.get("sensitive"):
        return f"Value at '{_where(path)}'"
    return f"Value '{_render(shape, value)}' at '{_where(path)}'"


@functools.cache
def _pattern(text: str) -> re.Pattern[str] | None:
    """A model pattern compiled as Java reads it (ASCII classes), or None where Python's
    `re` cannot read it."""
    try:
        return re.compile(text, re.ASCII)
    except re.error:
        return None


def _check(shape: Shape, value: Any, path: str, problems: list[str], patterns: bool) -> None:
    meta = shape.metadata
    if isinstance(shape, StructureShape):
        for name in meta.get("required", ()):
            if value.get(name) is None:
                _add(
                    problems,
                    f"Value null at '{_where(path + '.' + _wire(name))}' failed to "
                    "satisfy constraint: Member must not be null",
                )
        for name, sub in value.items():
            if sub is not None and name in shape.members:
                _check(shape.members[name], sub, f"{path}.{_wire(name)}", problems, patterns)
        return
    if isinstance(shape, ListShape):
        if _length(shape, value, path, problems):
            return  # too many items: their own checks would only cost time
        for i, item in enumerate(value):
            _check(shape.member, item, f"{path}.{i + 1}.member", problems, patterns)
        return
    if isinstance(shape, MapShape):
        if _length(shape, value, path, problems):
            return
        for key, item in value.items():
            _check(shape.key, key, f"{path}.{key}", problems, patterns)
            _check(shape.value, item, f"{path}.{key}.member", problems, patterns)
        return
    if shape.type_name == "string":
        enum = meta.get("enum")
        if enum and value not in enum:
            _add(
                problems,
                f"{_value_at(shape, value, path)} failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(enum)}]",
            )
        _length(shape, value, path, problems)
        regex = _pattern(meta["pattern"]) if patterns and "pattern" in meta else None
        if regex is not None and not regex.fullmatch(value):
            _add(
                problems,
                f"{_value_at(shape, value, path)} failed to satisfy constraint: "
                f"Member must satisfy regular expression pattern: {meta['pattern']}",
            )
    elif shape.type_name in ("integer", "long", "double", "float"):
        if "min" in meta and value < meta["min"]:
            _add(
                problems,
                f"{_value_at(shape, value, path)} failed to satisfy constraint: "
                f"Member must have value greater than or equal to {meta['min']}",
            )
        if "max" in meta and value > meta["max"]:
            _add(
                problems,
                f"{_value_at(shape, value, path)} failed to satisfy constraint: "
                f"Member must have value less than or equal to {meta['max']}",
            )


def _render(shape: Shape | None, value: Any) -> str:
    """The value as AWS's front end prints it (Java's toString), never a sensitive
    member's, and never more than errors.SHOWN_MAX characters: rendering stops there, so
    a 50,000-item list costs no more than a short one."""
    out: list[str] = []
    budget = [SHOWN_MAX + 1]

    def put(text: str) -> None:
        if budget[0] > 0:
            out.append(text[: budget[0]])
            budget[0] -= len(text)

    def walk(sh: Shape | None, v: Any) -> None:
        if budget[0] <= 0:
            return
        if sh is not None and sh.metadata.get("sensitive"):
            put("***")  # ecsd's own: AWS's form for a sensitive item inside a value is unknown
        elif isinstance(v, bool):
            put("true" if v else "false")
        elif isinstance(v, str):
            put(v)
        elif isinstance(v, int | float):
            put(repr(v) if isinstance(v, float) else str(v))
        elif isinstance(v, list):
            member = sh.member if isinstance(sh, ListShape) else None
            put("[")
            for i, item in enumerate(v):
                if i:
                    put(", ")
                walk(member, item)
                if budget[0] <= 0:
                    return
            put("]")
        elif isinstance(v, dict) and isinstance(sh, StructureShape):
            put(f"{sh.name}(")
            first = True
            for name, item in v.items():
                if item is None or name not in sh.members:
                    continue
                put(("" if first else ", ") + f"{_wire(name)}=")
                first = False
                walk(sh.members[name], item)
                if budget[0] <= 0:
                    return
            put(")")
        elif isinstance(v, dict):
            vshape = sh.value if isinstance(sh, MapShape) else None
            put("{")
            for i, (key, item) in enumerate(v.items()):
                put(("" if not i else ", ") + f"{key}=")
                walk(vshape, item)
                if budget[0] <= 0:
                    return
            put("}")
        else:
            put(str(v))

    walk(shape, value)
    return clip("".join(out))


def _length(shape: Shape, value: Any, path: str, problems: list[str]) -> bool:
    """Adds a problem for a length outside the model's bounds; True when too long."""
    meta = shape.metadata
    n = len(value)
    if "min" in meta and n < meta["min"]:
        _add(
            problems,
            f"{_value_at(shape, value, path)} failed to satisfy constraint: "
            f"Member must have length greater than or equal to {meta['min']}",
        )
    if "max" in meta and n > meta["max"]:
        _add(
            problems,
            f"{_value_at(shape, value, path)} failed to satisfy constraint: "
            f"Member must have length less than or equal to {meta['max']}",
        )
        return True
    return False

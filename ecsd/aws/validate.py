"""Check decoded input against the constraints the botocore model declares.

Decoding (protocols/) already produced Python values of the right types; this checks
what the model says about them: required members, enums, lengths and ranges, plus the
list maximums AWS documents that the model lacks (limits.py). The message follows the
text AWS's own front end uses, e.g.
`1 validation error detected: Value null at 'family' failed to satisfy constraint:
Member must not be null`.

The work is bounded by the request's size, and the answer by less: a list longer than
its maximum is refused before its items are looked at, the values quoted are cut
(errors.clip), and at most MAX_PROBLEMS problems are collected.
"""

from __future__ import annotations

from typing import Any

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from . import limits
from .errors import ValidationError, clip

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
) -> None:
    if shape is None:
        return
    bounds: dict[str, int] = {}
    if operation is not None:
        service = operation.service_model.service_name
        bounds = limits.for_operation(service, operation.name)
        _check_documented(service, operation.name, bounds, value, error_code)
    problems: list[str] = []
    try:
        _check(shape, value, "", problems)
    except _Enough:
        pass
    if problems:
        n = len(problems)
        # "20+" where collection stopped is ecsd's own: AWS states the exact count.
        head = f"{n}{'+' if n >= MAX_PROBLEMS else ''} validation error{'s' if n > 1 else ''}"
        raise ValidationError(error_code, head + " detected: " + "; ".join(problems))


def _check_documented(
    service: str, operation: str, bounds: dict[str, int], value: dict[str, Any], error_code: str
) -> None:
    for path, maximum in bounds.items():
        found: Any = value
        for name in path.split("."):
            found = found.get(name) if isinstance(found, dict) else None
        if not isinstance(found, list) or len(found) <= maximum:
            continue
        member = path.rsplit(".", 1)[-1]
        known = limits.message(service, operation, path)
        if known is not None:
            message = known
        elif service == "ecs":
            message = f"{member} can have at most {maximum} items."
        else:
            message = (
                f"1 validation error detected: Value '[...]' at '{path}' failed to satisfy "
                f"constraint: Member must have length less than or equal to {maximum}"
            )
        raise ValidationError(error_code, message)


def _where(path: str) -> str:
    return clip(path.lstrip("."), 200)


def _add(problems: list[str], text: str) -> None:
    problems.append(text)
    if len(problems) >= MAX_PROBLEMS:
        raise _Enough


def _check(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    meta = shape.metadata
    if isinstance(shape, StructureShape):
        for name in meta.get("required", ()):
            if value.get(name) is None:
                _add(
                    problems,
                    f"Value null at '{_where(path + '.' + name)}' failed to "
                    "satisfy constraint: Member must not be null",
                )
        for name, sub in value.items():
            if sub is not None and name in shape.members:
                _check(shape.members[name], sub, f"{path}.{name}", problems)
        return
    if isinstance(shape, ListShape):
        if _length(meta, len(value), _shown(shape, value), path, problems, "length"):
            return  # too many items: their own checks would only cost time
        for i, item in enumerate(value):
            _check(shape.member, item, f"{path}.{i + 1}.member", problems)
        return
    if isinstance(shape, MapShape):
        if _length(meta, len(value), _shown(shape, value), path, problems, "length"):
            return
        for key, item in value.items():
            _check(shape.key, key, f"{path}.{key}", problems)
            _check(shape.value, item, f"{path}.{key}", problems)
        return
    if shape.type_name == "string":
        enum = meta.get("enum")
        if enum and value not in enum:
            _add(
                problems,
                f"Value '{_shown(shape, value)}' at '{_where(path)}' failed to satisfy "
                f"constraint: Member must satisfy enum value set: [{', '.join(enum)}]",
            )
        _length(meta, len(value), _shown(shape, value), path, problems, "length")
    elif shape.type_name in ("integer", "long", "double", "float"):
        if "min" in meta and value < meta["min"]:
            _add(
                problems,
                f"Value '{_shown(shape, value)}' at '{_where(path)}' failed to satisfy "
                f"constraint: Member must have value greater than or equal to {meta['min']}",
            )
        if "max" in meta and value > meta["max"]:
            _add(
                problems,
                f"Value '{_shown(shape, value)}' at '{_where(path)}' failed to satisfy "
                f"constraint: Member must have value less than or equal to {meta['max']}",
            )


def _shown(shape: Shape, value: Any) -> str:
    """The value as AWS quotes it in a message: never a sensitive one (secrets), and
    never more than errors.SHOWN_MAX characters of it."""
    if shape.metadata.get("sensitive"):
        return "***"
    if isinstance(value, str):
        return clip(value)
    if isinstance(value, bool | int | float):
        return str(value)
    return "[...]"


def _length(
    meta: dict[str, Any], n: int, shown: str, path: str, problems: list[str], what: str
) -> bool:
    """Adds a problem for a length outside the model's bounds; True when too long."""
    if "min" in meta and n < meta["min"]:
        _add(
            problems,
            f"Value '{shown}' at '{_where(path)}' failed to satisfy constraint: "
            f"Member must have {what} greater than or equal to {meta['min']}",
        )
    if "max" in meta and n > meta["max"]:
        _add(
            problems,
            f"Value '{shown}' at '{_where(path)}' failed to satisfy constraint: "
            f"Member must have {what} less than or equal to {meta['max']}",
        )
        return True
    return False

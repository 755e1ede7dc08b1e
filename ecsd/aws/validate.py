"""Check decoded input against the constraints the botocore model declares.

Decoding (protocols/) already produced Python values of the right types; this checks
what the model says about them: required members, enums, lengths and ranges. The
message follows the text AWS's own front end uses, e.g.
`1 validation error detected: Value null at 'family' failed to satisfy constraint:
Member must not be null`.
"""

from __future__ import annotations

from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from .errors import ValidationError


def validate(shape: StructureShape | None, value: dict[str, Any], *, error_code: str) -> None:
    if shape is None:
        return
    problems: list[str] = []
    _check(shape, value, "", problems)
    if problems:
        n = len(problems)
        head = f"{n} validation error{'s' if n > 1 else ''} detected: "
        raise ValidationError(error_code, head + "; ".join(problems))


def _where(path: str) -> str:
    return path.lstrip(".")


def _check(shape: Shape, value: Any, path: str, problems: list[str]) -> None:
    meta = shape.metadata
    if isinstance(shape, StructureShape):
        for name in meta.get("required", ()):
            if value.get(name) is None:
                problems.append(
                    f"Value null at '{_where(path + '.' + name)}' failed to "
                    "satisfy constraint: Member must not be null"
                )
        for name, sub in value.items():
            if sub is not None and name in shape.members:
                _check(shape.members[name], sub, f"{path}.{name}", problems)
        return
    if isinstance(shape, ListShape):
        _length(meta, len(value), _shown(shape, value), path, problems, "length")
        for i, item in enumerate(value):
            _check(shape.member, item, f"{path}.{i + 1}.member", problems)
        return
    if isinstance(shape, MapShape):
        _length(meta, len(value), _shown(shape, value), path, problems, "length")
        for key, item in value.items():
            _check(shape.value, item, f"{path}.{key}", problems)
        return
    if shape.type_name == "string":
        enum = meta.get("enum")
        if enum and value not in enum:
            problems.append(
                f"Value '{_shown(shape, value)}' at '{_where(path)}' failed to satisfy constraint: "
                f"Member must satisfy enum value set: [{', '.join(enum)}]"
            )
        _length(meta, len(value), _shown(shape, value), path, problems, "length")
    elif shape.type_name in ("integer", "long", "double", "float"):
        if "min" in meta and value < meta["min"]:
            problems.append(
                f"Value '{_shown(shape, value)}' at '{_where(path)}' failed to satisfy constraint: "
                f"Member must have value greater than or equal to {meta['min']}"
            )
        if "max" in meta and value > meta["max"]:
            problems.append(
                f"Value '{_shown(shape, value)}' at '{_where(path)}' failed to satisfy constraint: "
                f"Member must have value less than or equal to {meta['max']}"
            )


def _shown(shape: Shape, value: Any) -> str:
    """The value as AWS quotes it in a message: never a sensitive one (secrets)."""
    if shape.metadata.get("sensitive"):
        return "***"
    return value if isinstance(value, str) else "[...]"


def _length(
    meta: dict[str, Any], n: int, value: Any, path: str, problems: list[str], what: str
) -> None:
    shown = value
    if "min" in meta and n < meta["min"]:
        problems.append(
            f"Value '{shown}' at '{_where(path)}' failed to satisfy constraint: "
            f"Member must have {what} greater than or equal to {meta['min']}"
        )
    if "max" in meta and n > meta["max"]:
        problems.append(
            f"Value '{shown}' at '{_where(path)}' failed to satisfy constraint: "
            f"Member must have {what} less than or equal to {meta['max']}"
        )

"""AWS JSON 1.0 / 1.1: POST /, `X-Amz-Target: <prefix>.<Operation>`, JSON both ways.

Errors are `{"__type": code, "message": text}` with the status code and the
`x-amzn-ErrorType` header botocore reads.
"""

from __future__ import annotations

import base64
import json
import math
from collections.abc import Callable
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from ..errors import AwsError, SerializationError, clip
from . import numbers
from .timestamps import from_wire, to_epoch


def decode(shape: StructureShape | None, body: bytes) -> dict[str, Any]:
    if not body.strip():
        data: Any = {}
    else:
        try:
            data = json.loads(body, parse_constant=_no_constant)
        except RecursionError:
            # ecsd's own text: Python's parser gives up near a thousand levels; nothing in
            # any model nests that deep, so the body cannot be a valid request.
            raise SerializationError("Request body is nested too deeply") from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise SerializationError(f"Request body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise SerializationError("Start of list found where not expected")
    if shape is None:
        return {}
    return decode_value(shape, data)


def decode_value(shape: StructureShape, data: dict[str, Any]) -> dict[str, Any]:
    """The shape walk alone, for a body another protocol (CBOR) has already read."""
    return _decode(shape, data, "")


def _no_constant(name: str) -> Any:
    # Python's json reads NaN and Infinity, which are not JSON and no AWS service takes.
    raise ValueError(f"{name} is not a JSON value")


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "double": (int, float),
    "float": (int, float),
}


def _text(value: str, path: str) -> str:
    """A string that can be stored and answered: JSON's `\\ud800` escapes can produce a
    lone surrogate, which is not Unicode text (SQLite and every encoder refuse it)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise SerializationError(
            f"Invalid UTF-8 text in payload at '{clip(path.lstrip('.')) or '(root)'}'"
        ) from None
    return value


def _decode(shape: Shape, value: Any, path: str) -> Any:
    if value is None:
        return None
    kind = shape.type_name
    if isinstance(shape, StructureShape):
        if not isinstance(value, dict):
            raise _mismatch("structure", value, path)
        out = {}
        for key, item in value.items():
            member = shape.members.get(key)
            if member is not None:  # AWS ignores members it does not know
                out[key] = _decode(member, item, f"{path}.{key}")
        return out
    if isinstance(shape, ListShape):
        if not isinstance(value, list):
            raise _mismatch("list", value, path)
        items = []
        for i, item in enumerate(value):
            if item is None:
                # A null list member: boto3 never sends one (its parameter validation
                # refuses None), and ecsd refuses it rather than hand a handler a list
                # with holes. The text is ecsd's own.
                raise SerializationError(
                    f"Null value in list at '{clip(path.lstrip('.'))}[{i}]' is not allowed"
                )
            items.append(_decode(shape.member, item, f"{path}[{i}]"))
        return items
    if isinstance(shape, MapShape):
        if not isinstance(value, dict):
            raise _mismatch("map", value, path)
        out = {}
        for k, v in value.items():
            _text(k, path)
            if v is None:
                # As for lists: a map entry without a value is refused (ecsd's own text).
                raise SerializationError(
                    f"Null value in map at '{clip(path.lstrip('.'))}.{clip(k, 200)}' is not allowed"
                )
            out[k] = _decode(shape.value, v, f"{path}.{k}")
        return out
    if kind == "timestamp":
        try:
            stamp = from_wire(value)
        except (TypeError, ValueError, OverflowError):
            raise _mismatch("timestamp", value, path) from None
        return stamp
    if kind == "blob":
        if not isinstance(value, str):
            raise _mismatch("blob", value, path)
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            raise SerializationError(f"Invalid base64 at '{clip(path.lstrip('.'))}'") from None
    allowed = _JSON_TYPES.get(kind, (str,))
    if not isinstance(value, allowed) or (kind != "boolean" and isinstance(value, bool)):
        raise _mismatch(kind, value, path)
    if isinstance(value, str):
        return _text(value, path)
    if isinstance(value, int) and kind in ("integer", "long") and not numbers.in_range(kind, value):
        # ecsd's own text: AWS's front end refuses a number its Java type cannot hold.
        raise SerializationError(f"Number out of range for {kind} at '{clip(path.lstrip('.'))}'")
    if isinstance(value, int | float) and kind in ("double", "float"):
        try:
            value = float(value)
        except OverflowError:
            value = math.inf
        if not numbers.finite(value):
            raise SerializationError(
                f"Number out of range for {kind} at '{clip(path.lstrip('.'))}'"
            )
    return value


def _mismatch(expected: str, value: Any, path: str) -> SerializationError:
    got = type(value).__name__
    return SerializationError(
        f"Unexpected value type in payload at '{clip(path.lstrip('.')) or '(root)'}': "
        f"expected {expected}, got {got}"
    )


def encode(shape: StructureShape | None, value: dict[str, Any]) -> bytes:
    if shape is None:
        return b"{}"
    return json.dumps(_encode(shape, value), separators=(",", ":")).encode()


def walk(shape: Shape, value: Any, leaf: Callable[[Shape, Any], Any]) -> Any:
    """A handler's result as the model shapes it: structures keep their members (None
    left out), lists and maps their elements, and `leaf` turns each scalar into the
    wire's form (JSON here; RPC v2 CBOR shares the walk with its own leaves)."""
    if isinstance(shape, StructureShape):
        members = shape.members
        return {
            k: walk(members[k], v, leaf) for k, v in value.items() if v is not None and k in members
        }
    if isinstance(shape, ListShape):
        return [walk(shape.member, v, leaf) for v in value]
    if isinstance(shape, MapShape):
        return {k: walk(shape.value, v, leaf) for k, v in value.items()}
    return leaf(shape, value)


def _leaf(shape: Shape, value: Any) -> Any:
    kind = shape.type_name
    if kind == "timestamp":
        return to_epoch(value)
    if kind == "blob":
        return base64.b64encode(value).decode()
    return value


def _encode(shape: Shape, value: Any) -> Any:
    return walk(shape, value, _leaf)


def encode_error(error: AwsError) -> tuple[int, dict[str, str], bytes]:
    body = json.dumps({"__type": error.code, "message": error.message}).encode()
    return error.status, {"x-amzn-ErrorType": error.code}, body


CONTENT_TYPE = "application/x-amz-json-1.1"

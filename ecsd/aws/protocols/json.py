"""AWS JSON 1.0 / 1.1: POST /, `X-Amz-Target: <prefix>.<Operation>`, JSON both ways.

Errors are `{"__type": code, "message": text}` with the status code and the
`x-amzn-ErrorType` header botocore reads.
"""

from __future__ import annotations

import base64
import json
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from ..errors import AwsError, SerializationError
from .timestamps import from_wire, to_epoch


def decode(shape: StructureShape | None, body: bytes) -> dict[str, Any]:
    if not body.strip():
        data: Any = {}
    else:
        try:
            data = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise SerializationError(f"Request body is not valid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise SerializationError("Start of list found where not expected")
    if shape is None:
        return {}
    return _decode(shape, data, "")


_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "boolean": (bool,),
    "integer": (int,),
    "long": (int,),
    "double": (int, float),
    "float": (int, float),
}


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
        return [_decode(shape.member, item, f"{path}[{i}]") for i, item in enumerate(value)]
    if isinstance(shape, MapShape):
        if not isinstance(value, dict):
            raise _mismatch("map", value, path)
        return {k: _decode(shape.value, v, f"{path}.{k}") for k, v in value.items()}
    if kind == "timestamp":
        try:
            return from_wire(value)
        except (TypeError, ValueError):
            raise _mismatch("timestamp", value, path) from None
    if kind == "blob":
        if not isinstance(value, str):
            raise _mismatch("blob", value, path)
        try:
            return base64.b64decode(value, validate=True)
        except ValueError:
            raise SerializationError(f"Invalid base64 at '{path.lstrip('.')}'") from None
    allowed = _JSON_TYPES.get(kind, (str,))
    if not isinstance(value, allowed) or (kind != "boolean" and isinstance(value, bool)):
        raise _mismatch(kind, value, path)
    return value


def _mismatch(expected: str, value: Any, path: str) -> SerializationError:
    got = type(value).__name__
    return SerializationError(
        f"Unexpected value type in payload at '{path.lstrip('.') or '(root)'}': "
        f"expected {expected}, got {got}"
    )


def encode(shape: StructureShape | None, value: dict[str, Any]) -> bytes:
    if shape is None:
        return b"{}"
    return json.dumps(_encode(shape, value), separators=(",", ":")).encode()


def _encode(shape: Shape, value: Any) -> Any:
    if isinstance(shape, StructureShape):
        members = shape.members
        return {
            k: _encode(members[k], v) for k, v in value.items() if v is not None and k in members
        }
    if isinstance(shape, ListShape):
        return [_encode(shape.member, v) for v in value]
    if isinstance(shape, MapShape):
        return {k: _encode(shape.value, v) for k, v in value.items()}
    kind = shape.type_name
    if kind == "timestamp":
        return to_epoch(value)
    if kind == "blob":
        return base64.b64encode(value).decode()
    return value


def encode_error(error: AwsError) -> tuple[int, dict[str, str], bytes]:
    body = json.dumps({"__type": error.code, "message": error.message}).encode()
    return error.status, {"x-amzn-ErrorType": error.code}, body


CONTENT_TYPE = "application/x-amz-json-1.1"

"""AWS Query: form-encoded `Action=…&Version=…&Foo.member.1=…` in, XML out.

Used by STS and ELBv2. Lists are `Name.member.N` (or `Name.N` when flattened), maps
`Name.entry.N.key` / `.value`; answers are
`<OpResponse><OpResult>…</OpResult><ResponseMetadata>…` and errors `<ErrorResponse>`.
"""

from __future__ import annotations

import base64
from typing import Any
from xml.sax.saxutils import escape

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from ..errors import AwsError, SerializationError
from .timestamps import from_wire, to_iso8601


def decode(shape: StructureShape | None, params: dict[str, str]) -> dict[str, Any]:
    if shape is None:
        return {}
    prefixes = set()
    for key in params:
        parts = key.split(".")
        for i in range(1, len(parts) + 1):
            prefixes.add(".".join(parts[:i]))
    return _decode_struct(shape, params, prefixes, "")


def _name(shape: Shape, default: str) -> str:
    return str(shape.serialization.get("name", default))


def _decode_struct(
    shape: StructureShape, params: dict[str, str], prefixes: set[str], prefix: str
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, member in shape.members.items():
        key = prefix + _name(member, name)
        if key in prefixes:
            out[name] = _decode(member, params, prefixes, key)
    return out


def _decode(shape: Shape, params: dict[str, str], prefixes: set[str], key: str) -> Any:
    if isinstance(shape, StructureShape):
        return _decode_struct(shape, params, prefixes, key + ".")
    if isinstance(shape, ListShape):
        if params.get(key) == "":
            return []
        flat = shape.serialization.get("flattened")
        base = key if flat else f"{key}.{_name(shape.member, 'member')}"
        items: list[Any] = []
        while f"{base}.{len(items) + 1}" in prefixes:
            items.append(_decode(shape.member, params, prefixes, f"{base}.{len(items) + 1}"))
        return items
    if isinstance(shape, MapShape):
        flat = shape.serialization.get("flattened")
        base = key if flat else f"{key}.entry"
        kname, vname = _name(shape.key, "key"), _name(shape.value, "value")
        out = {}
        n = 1
        while f"{base}.{n}" in prefixes:
            k = params.get(f"{base}.{n}.{kname}")
            if k is not None:
                out[k] = _decode(shape.value, params, prefixes, f"{base}.{n}.{vname}")
            n += 1
        return out
    raw = params.get(key)
    if raw is None:
        return None
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return int(raw)
        if kind in ("double", "float"):
            return float(raw)
        if kind == "boolean":
            if raw.lower() not in ("true", "false"):
                raise ValueError(raw)
            return raw.lower() == "true"
        if kind == "timestamp":
            return from_wire(raw)
        if kind == "blob":
            return base64.b64decode(raw)
    except (TypeError, ValueError):
        raise SerializationError(f"Invalid {kind} value '{raw}' for parameter {key}") from None
    return raw


def encode(
    operation: OperationModel, value: dict[str, Any], request_id: str, namespace: str
) -> bytes:
    name = operation.name
    shape = operation.output_shape
    inner = ""
    if shape is not None:
        wrapper = shape.serialization.get("resultWrapper", f"{name}Result")
        inner = f"<{wrapper}>{_encode_members(shape, value)}</{wrapper}>"
    return (
        f'<{name}Response xmlns="{namespace}">{inner}'
        f"<ResponseMetadata><RequestId>{request_id}</RequestId></ResponseMetadata>"
        f"</{name}Response>"
    ).encode()


def _encode_members(shape: StructureShape, value: dict[str, Any]) -> str:
    parts: list[str] = []
    for name, member in shape.members.items():
        v = value.get(name)
        if v is None:
            continue
        tag = _name(member, name)
        if isinstance(member, ListShape) and member.serialization.get("flattened"):
            parts.extend(f"<{tag}>{_encode(member.member, item)}</{tag}>" for item in v)
        else:
            parts.append(f"<{tag}>{_encode(member, v)}</{tag}>")
    return "".join(parts)


def _encode(shape: Shape, value: Any) -> str:
    if isinstance(shape, StructureShape):
        return _encode_members(shape, value)
    if isinstance(shape, ListShape):
        tag = _name(shape.member, "member")
        return "".join(f"<{tag}>{_encode(shape.member, item)}</{tag}>" for item in value)
    if isinstance(shape, MapShape):
        k, v = _name(shape.key, "key"), _name(shape.value, "value")
        return "".join(
            f"<entry><{k}>{escape(str(key))}</{k}><{v}>{_encode(shape.value, item)}</{v}></entry>"
            for key, item in value.items()
        )
    kind = shape.type_name
    if kind == "timestamp":
        return to_iso8601(value)
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "blob":
        return base64.b64encode(value).decode()
    return escape(str(value))


def encode_error(error: AwsError, request_id: str, namespace: str) -> tuple[int, bytes]:
    kind = "Sender" if error.sender_fault else "Receiver"
    body = (
        f'<ErrorResponse xmlns="{namespace}"><Error><Type>{kind}</Type>'
        f"<Code>{escape(error.code)}</Code><Message>{escape(error.message)}</Message>"
        f"</Error><RequestId>{request_id}</RequestId></ErrorResponse>"
    )
    return error.status, body.encode()


CONTENT_TYPE = "text/xml"

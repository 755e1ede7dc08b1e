"""AWS Query: form-encoded `Action=…&Version=…&Foo.member.1=…` in, XML out.

Used by STS and ELBv2. Lists are `Name.member.N` (or `Name.N` when flattened), maps
`Name.entry.N.key` / `.value`; answers are
`<OpResponse><OpResult>…</OpResult><ResponseMetadata>…` and errors `<ErrorResponse>`.
"""

from __future__ import annotations

import base64
import bisect
import re
from typing import Any
from xml.sax.saxutils import escape as _escape

from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape

from ..errors import AwsError, SerializationError, clip
from . import numbers
from .timestamps import from_wire, to_iso8601


def decode(shape: StructureShape | None, params: dict[str, str]) -> dict[str, Any]:
    """The operation's input from the form parameters, by walking `shape`: a member is
    looked for only where the model puts one, so the work is bounded by the model and
    the number of keys, never by every prefix of every key (a 32 KB key of dots once
    cost hundreds of megabytes)."""
    if shape is None:
        return {}
    return _decode_struct(shape, _Keys(params), "")


class _Keys:
    """The request's keys, sorted so that "is there a key at or under `prefix`" is one
    binary search."""

    def __init__(self, params: dict[str, str]) -> None:
        self.params = params
        self._sorted = sorted(params)

    def get(self, key: str) -> str | None:
        return self.params.get(key)

    def has(self, prefix: str) -> bool:
        if prefix in self.params:
            return True
        under = prefix + "."
        i = bisect.bisect_left(self._sorted, under)
        return i < len(self._sorted) and self._sorted[i].startswith(under)


def _name(shape: Shape, default: str) -> str:
    return str(shape.serialization.get("name", default))


def _decode_struct(shape: StructureShape, keys: _Keys, prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, member in shape.members.items():
        key = prefix + _name(member, name)
        if keys.has(key):
            out[name] = _decode(member, keys, key)
    return out


def _decode(shape: Shape, keys: _Keys, key: str) -> Any:
    if isinstance(shape, StructureShape):
        return _decode_struct(shape, keys, key + ".")
    if isinstance(shape, ListShape):
        if keys.get(key) == "":
            return []
        flat = shape.serialization.get("flattened")
        base = key if flat else f"{key}.{_name(shape.member, 'member')}"
        items: list[Any] = []
        while keys.has(f"{base}.{len(items) + 1}"):
            items.append(_decode(shape.member, keys, f"{base}.{len(items) + 1}"))
        return items
    if isinstance(shape, MapShape):
        flat = shape.serialization.get("flattened")
        base = key if flat else f"{key}.entry"
        kname, vname = _name(shape.key, "key"), _name(shape.value, "value")
        out = {}
        n = 1
        while keys.has(f"{base}.{n}"):
            k = keys.get(f"{base}.{n}.{kname}")
            if k is not None:
                out[k] = _decode(shape.value, keys, f"{base}.{n}.{vname}")
            n += 1
        return out
    raw = keys.get(key)
    if raw is None:
        return None
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return numbers.parse_int(kind, raw)
        if kind in ("double", "float"):
            return numbers.parse_float(raw)
        if kind == "boolean":
            if raw.lower() not in ("true", "false"):
                raise ValueError(raw)
            return raw.lower() == "true"
        if kind == "timestamp":
            return from_wire(raw)
        if kind == "blob":
            return base64.b64decode(raw, validate=True)
    except (TypeError, ValueError):
        # ecsd's own text; the value and key are bounded so a huge one is not echoed back.
        raise SerializationError(
            f"Invalid {kind} value '{clip(raw)}' for parameter {clip(key)}"
        ) from None
    return raw


# Characters XML 1.0 cannot carry at all, not even as a character reference: a message
# or value holding one would make the whole answer unparseable, so each becomes U+FFFD.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def escape(text: str) -> str:
    return _escape(_NOT_XML.sub("\ufffd", text))


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

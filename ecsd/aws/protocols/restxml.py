"""REST-XML: the operation by method and path, input from the URI, query string,
headers and an XML body; answers in XML. Route 53 speaks it.

Everything is driven by botocore's model, as the other protocols: an operation's
`requestUri` (`/2013-04-01/hostedzone/{Id}/rrset`, a greedy `{Key+}` label too) is
compiled to a pattern once per service; a member's `location` (uri, querystring, header,
headers) says where its value travels, the rest comes from the XML body (the input
shape's own element, or the member the shape names as `payload`). Answers mirror that:
header members become headers, the body is the output shape (or its payload member)
with the model's namespace. Errors are `<ErrorResponse><Error><Type>Sender</Type>…`.
"""

from __future__ import annotations

import base64
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote

from botocore.model import ListShape, MapShape, OperationModel, ServiceModel, Shape, StructureShape

from ..errors import AwsError, SerializationError, clip
from . import numbers
from .query import encode_error as _query_error
from .query import escape
from .timestamps import from_wire, to_iso8601

CONTENT_TYPE = "text/xml"
# A body larger than this is refused before parsing: no Route 53 input comes near it
# (a change batch is limited to 32,000 characters of values), ecsd's own bound.
BODY_MAX = 1 << 20


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    literal: int  # characters outside labels: the more specific route wins
    operation: str


class Router:
    """Finds the operation for a method and path among one service's `requestUri`s."""

    def __init__(self, model: ServiceModel) -> None:
        routes = []
        for name in model.operation_names:
            http = model.operation_model(name).http
            uri = str(http.get("requestUri", "/")).split("?", 1)[0]
            routes.append(
                _Route(str(http.get("method", "POST")), _compile(uri), _literal(uri), name)
            )
        # More literal characters first: `/hostedzone/{Id}/rrset` before `/hostedzone/{Id}`.
        self._routes = sorted(routes, key=lambda r: -r.literal)
        self.prefixes = {uri_prefix(model.operation_model(n).http) for n in model.operation_names}

    def match(self, method: str, path: str) -> tuple[str, dict[str, str]] | None:
        """The operation's name and its decoded URI labels, or None."""
        for route in self._routes:
            if route.method != method:
                continue
            m = route.pattern.fullmatch(path)
            if m:
                return route.operation, {k: unquote(v) for k, v in m.groupdict().items()}
        return None


def uri_prefix(http: dict[str, Any]) -> str:
    """The first path segment of a requestUri (`/2013-04-01`): what routes a request to
    a REST service at all."""
    parts = str(http.get("requestUri", "/")).split("/")
    return "/" + parts[1] if len(parts) > 1 else "/"


_LABEL = re.compile(r"\{([A-Za-z0-9_]+)(\+?)\}")


def _compile(uri: str) -> re.Pattern[str]:
    out, last = [], 0
    for m in _LABEL.finditer(uri):
        out.append(re.escape(uri[last : m.start()]))
        out.append(f"(?P<{m.group(1)}>.+)" if m.group(2) else f"(?P<{m.group(1)}>[^/]+)")
        last = m.end()
    out.append(re.escape(uri[last:]))
    # A trailing slash is optional both ways: the model says `/rrset/`, clients vary.
    return re.compile("".join(out).rstrip("/") + "/?")


def _literal(uri: str) -> int:
    return len(_LABEL.sub("", uri))


# -- input -------------------------------------------------------------------------


def decode(
    operation: OperationModel,
    labels: dict[str, str],
    query_string: str,
    headers: Any,
    body: bytes,
) -> dict[str, Any]:
    shape = operation.input_shape
    if shape is None:
        return {}
    query = parse_qs(query_string, keep_blank_values=True)
    out: dict[str, Any] = {}
    body_members: dict[str, Shape] = {}
    for name, member in shape.members.items():
        where = member.serialization.get("location")
        wire = str(member.serialization.get("name", name))
        if where == "uri":
            if wire in labels:
                out[name] = _scalar(member, labels[wire], name)
        elif where == "querystring":
            if isinstance(member, MapShape):
                out[name] = {k: v[-1] for k, v in query.items()}
            elif wire in query:
                values = query[wire]
                out[name] = (
                    [_scalar(member.member, v, name) for v in values]
                    if isinstance(member, ListShape)
                    else _scalar(member, values[-1], name)
                )
        elif where == "header":
            value = headers.get(wire)
            if value is not None:
                out[name] = _scalar(member, value, name)
        elif where == "headers":
            prefix = wire.lower()
            out[name] = {
                k[len(prefix) :]: v for k, v in headers.items() if k.lower().startswith(prefix)
            }
        else:
            body_members[name] = member
    if body_members and body.strip():
        root = _parse(body)
        payload = shape.serialization.get("payload")
        if payload:
            member = shape.members[payload]
            out[payload] = _decode(member, root, payload)
        else:
            for name, member in body_members.items():
                value = _member(root, member, name)
                if value is not None:
                    out[name] = value
    return out


def _parse(body: bytes) -> ET.Element:
    if len(body) > BODY_MAX:
        raise SerializationError(f"The request body is larger than {BODY_MAX} bytes.")
    if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
        # No AWS input needs a DTD; refusing it rules out entity expansion outright.
        raise SerializationError("The request body must not carry a document type.")
    try:
        return ET.fromstring(body)
    except ET.ParseError as e:
        # ecsd's own text.
        raise SerializationError(f"The request body is not well-formed XML: {e}") from None


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _children(element: ET.Element, tag: str) -> list[ET.Element]:
    return [c for c in element if _local(c.tag) == tag]


def _member(parent: ET.Element, member: Shape, name: str) -> Any:
    tag = str(member.serialization.get("name", name))
    if isinstance(member, ListShape) and member.serialization.get("flattened"):
        found = _children(parent, tag)
        return [_decode(member.member, c, name) for c in found] if found else None
    found = _children(parent, tag)
    return _decode(member, found[0], name) if found else None


def _decode(shape: Shape, element: ET.Element, name: str) -> Any:
    if isinstance(shape, StructureShape):
        out: dict[str, Any] = {}
        for mname, member in shape.members.items():
            value = _member(element, member, mname)
            if value is not None:
                out[mname] = value
        return out
    if isinstance(shape, ListShape):
        tag = str(shape.member.serialization.get("name", "member"))
        return [_decode(shape.member, c, name) for c in _children(element, tag)]
    if isinstance(shape, MapShape):
        kname = str(shape.key.serialization.get("name", "key"))
        vname = str(shape.value.serialization.get("name", "value"))
        entries = element if shape.serialization.get("flattened") else _children(element, "entry")
        result = {}
        for entry in entries:
            k, v = _children(entry, kname), _children(entry, vname)
            if k and v:
                result[k[0].text or ""] = _decode(shape.value, v[0], name)
        return result
    return _scalar(shape, element.text or "", name)


def _scalar(shape: Shape, raw: str, name: str) -> Any:
    kind = shape.type_name
    try:
        if kind in ("integer", "long"):
            return numbers.parse_int(kind, raw.strip())
        if kind in ("double", "float"):
            return numbers.parse_float(raw.strip())
        if kind == "boolean":
            if raw.strip().lower() not in ("true", "false"):
                raise ValueError(raw)
            return raw.strip().lower() == "true"
        if kind == "timestamp":
            return from_wire(raw.strip())
        if kind == "blob":
            return base64.b64decode(raw, validate=True)
    except (TypeError, ValueError):
        # ecsd's own text, as the Query protocol's.
        raise SerializationError(
            f"Invalid {kind} value '{clip(raw)}' for parameter {clip(name)}"
        ) from None
    return raw


# -- output ------------------------------------------------------------------------


def encode(
    operation: OperationModel, result: dict[str, Any], namespace: str
) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) of a successful answer."""
    status = int(operation.http.get("responseCode", 200))
    shape = operation.output_shape
    if shape is None:
        return status, {}, b""
    headers: dict[str, str] = {}
    body_members: dict[str, Shape] = {}
    for name, member in shape.members.items():
        value = result.get(name)
        where = member.serialization.get("location")
        if where == "header":
            if value is not None:
                headers[str(member.serialization.get("name", name))] = _text(member, value)
        elif where == "headers":
            prefix = str(member.serialization.get("name", ""))
            headers.update({prefix + k: str(v) for k, v in (value or {}).items()})
        elif where == "statusCode":
            if value is not None:
                status = int(value)
        else:
            body_members[name] = member
    payload = shape.serialization.get("payload")
    if payload:
        member = shape.members[payload]
        value = result.get(payload)
        if value is None:
            return status, headers, b""
        if member.type_name in ("blob", "string"):
            return status, headers, value if isinstance(value, bytes) else str(value).encode()
        tag = str(member.serialization.get("name", payload))
        return status, headers, _document(tag, _encode(member, value), namespace)
    if not body_members:
        return status, headers, b""
    inner = "".join(
        _element(member, name, result[name])
        for name, member in body_members.items()
        if result.get(name) is not None
    )
    return status, headers, _document(shape.name, inner, namespace)


def _document(tag: str, inner: str, namespace: str) -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n<{tag} xmlns="{namespace}">{inner}</{tag}>'
    ).encode()


def _element(member: Shape, name: str, value: Any) -> str:
    tag = str(member.serialization.get("name", name))
    if isinstance(member, ListShape) and member.serialization.get("flattened"):
        return "".join(f"<{tag}>{_encode(member.member, item)}</{tag}>" for item in value)
    return f"<{tag}>{_encode(member, value)}</{tag}>"


def _encode(shape: Shape, value: Any) -> str:
    if isinstance(shape, StructureShape):
        return "".join(
            _element(member, name, value[name])
            for name, member in shape.members.items()
            if value.get(name) is not None
        )
    if isinstance(shape, ListShape):
        tag = str(shape.member.serialization.get("name", "member"))
        return "".join(f"<{tag}>{_encode(shape.member, item)}</{tag}>" for item in value)
    if isinstance(shape, MapShape):
        k = str(shape.key.serialization.get("name", "key"))
        v = str(shape.value.serialization.get("name", "value"))
        return "".join(
            f"<entry><{k}>{escape(str(key))}</{k}><{v}>{_encode(shape.value, item)}</{v}></entry>"
            for key, item in value.items()
        )
    return escape(_text(shape, value))


def _text(shape: Shape, value: Any) -> str:
    kind = shape.type_name
    if kind == "timestamp":
        return to_iso8601(value)
    if kind == "boolean":
        return "true" if value else "false"
    if kind == "blob":
        return base64.b64encode(value).decode()
    return str(value)


def encode_error(error: AwsError, request_id: str, namespace: str) -> tuple[int, bytes]:
    """The same `<ErrorResponse>` as the Query protocol: Route 53 answers that shape."""
    return _query_error(error, request_id, namespace)


def namespace(model: ServiceModel) -> str:
    """The service's XML namespace: REST-XML models put it on the input shapes
    (`xmlNamespace.uri`), not in the metadata."""
    for name in model.operation_names:
        shape = model.operation_model(name).input_shape
        uri = shape.serialization.get("xmlNamespace", {}).get("uri") if shape else None
        if uri:
            return str(uri)
    return f"https://{model.endpoint_prefix}.amazonaws.com/doc/{model.api_version}/"

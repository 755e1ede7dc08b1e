"""EC2's own Query variant: the `ec2` protocol of botocore's models.

It is AWS Query (form-encoded `Action=…&Version=…`, XML out) with EC2's differences,
which botocore's EC2Serializer and EC2QueryParser define and this module mirrors:

- an input member's key is its `queryName`, else its `locationName` with the first
  letter upper-cased, else the member name;
- lists are `Name.N` (never `Name.member.N`), and an empty list is not sent at all;
- the answer is `<OpResponse xmlns=…><requestId>…</requestId>…members…</OpResponse>`,
  with no `OpResult` wrapper, list items as `<item>` (the model's member locationName);
- errors are `<Response><Errors><Error><Code>…</Code><Message>…</Message></Error>
  </Errors><RequestID>…</RequestID></Response>` — Terraform reads the code from there
  and reports "UnknownError" when handed another protocol's error body.

Scalars, maps and XML output of members are the same as Query, so they are query.py's.
"""

from __future__ import annotations

from typing import Any

from botocore.model import ListShape, OperationModel, Shape, StructureShape

from ..errors import AwsError
from . import query

NAMESPACE = "http://ec2.amazonaws.com/doc/2016-11-15/"


def input_name(shape: Shape, default: str) -> str:
    """The form key of a structure member, as botocore's EC2Serializer names it."""
    if "queryName" in shape.serialization:
        return str(shape.serialization["queryName"])
    name = shape.serialization.get("name")
    if name:
        return str(name[0].upper() + name[1:])
    return default


def decode(shape: StructureShape | None, params: dict[str, str]) -> dict[str, Any]:
    """The operation's input from the form parameters, walking `shape` (bounded by the
    model, as query.decode is)."""
    if shape is None:
        return {}
    return _decode_struct(shape, query._Keys(params), "")


def _decode_struct(shape: StructureShape, keys: query._Keys, prefix: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, member in shape.members.items():
        key = prefix + input_name(member, name)
        if keys.has(key):
            out[name] = _decode(member, keys, key)
    return out


def _decode(shape: Shape, keys: query._Keys, key: str) -> Any:
    if isinstance(shape, StructureShape):
        return _decode_struct(shape, keys, key + ".")
    if isinstance(shape, ListShape):
        items: list[Any] = []
        while keys.has(f"{key}.{len(items) + 1}"):
            items.append(_decode(shape.member, keys, f"{key}.{len(items) + 1}"))
        return items
    # Scalars (and maps, which EC2's inputs do not use) decode as in Query.
    return query._decode(shape, keys, key)


def encode(operation: OperationModel, value: dict[str, Any], request_id: str) -> bytes:
    name = operation.name
    shape = operation.output_shape
    inner = query._encode_members(shape, value) if shape is not None else ""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<{name}Response xmlns="{NAMESPACE}"><requestId>{request_id}</requestId>'
        f"{inner}</{name}Response>"
    ).encode()


def encode_error(error: AwsError, request_id: str) -> tuple[int, bytes]:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Response><Errors><Error><Code>{query.escape(error.code)}</Code>"
        f"<Message>{query.escape(error.message)}</Message></Error></Errors>"
        f"<RequestID>{request_id}</RequestID></Response>"
    )
    return error.status, body.encode()

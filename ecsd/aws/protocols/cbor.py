"""Smithy RPC v2 CBOR: POST /service/<Service>/operation/<Op>, `smithy-protocol:
rpc-v2-cbor`, CBOR both ways (what current boto3 sends CloudWatch).

The mirror of botocore's RpcV2CBORSerializer / RpcV2CBORParser: timestamps travel as
tag 1 (epoch seconds), blobs as byte strings, errors as `{"__type": code, "message":
text}`. Decoding turns the CBOR items into the JSON protocol's forms and reuses its
shape walk, so both protocols refuse the same bad input the same way.
"""

from __future__ import annotations

import base64
import datetime as dt
from typing import Any

import cbor2
from botocore.model import Shape, StructureShape

from ..errors import AwsError, SerializationError
from . import json as json_protocol
from .timestamps import to_epoch

CONTENT_TYPE = "application/cbor"
HEADERS = {"smithy-protocol": "rpc-v2-cbor"}


def decode(shape: StructureShape | None, body: bytes) -> dict[str, Any]:
    if not body:
        data: Any = {}
    else:
        try:
            data = cbor2.loads(body)
        except Exception as exc:  # cbor2 raises several kinds for garbage
            # ecsd's own text: AWS answers a SerializationException for an unreadable body.
            raise SerializationError(f"Request body is not valid CBOR: {exc}") from None
    if not isinstance(data, dict):
        raise SerializationError("Start of list found where not expected")
    if shape is None:
        return {}
    return json_protocol.decode_value(shape, _jsonish(data))


def _jsonish(value: Any) -> Any:
    """CBOR items as JSON would have carried them: tag-1 datetimes to epoch seconds,
    byte strings to base64 text (the JSON walk turns them back)."""
    if isinstance(value, dict):
        return {k: _jsonish(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonish(v) for v in value]
    if isinstance(value, dt.datetime):
        return to_epoch(value)
    if isinstance(value, cbor2.CBORTag):
        if value.tag == 1 and isinstance(value.value, int | float):
            return float(value.value)
        raise SerializationError(f"Unsupported CBOR tag {value.tag}")
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode()
    return value


def encode(shape: StructureShape | None, value: dict[str, Any]) -> bytes:
    if shape is None:
        return cbor2.dumps({})
    return cbor2.dumps(_encode(shape, value))


def _encode(shape: Shape, value: Any) -> Any:
    return json_protocol.walk(shape, value, _leaf)


def _leaf(shape: Shape, value: Any) -> Any:
    kind = shape.type_name
    if kind == "timestamp":
        return cbor2.CBORTag(1, to_epoch(value))  # CBOR's epoch-time tag
    if kind in ("double", "float"):
        return float(value)
    return value  # a blob stays bytes: CBOR carries them as they are


def encode_error(error: AwsError) -> tuple[int, bytes]:
    return error.status, cbor2.dumps({"__type": error.code, "message": error.message})

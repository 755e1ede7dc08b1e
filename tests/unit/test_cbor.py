"""The RPC v2 CBOR codec against botocore's own serializer and parser."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.parsers import RpcV2CBORParser
from botocore.serialize import RpcV2CBORSerializer

from ecsd.aws.errors import AwsError, SerializationError
from ecsd.aws.models import load
from ecsd.aws.protocols import cbor

MODEL = load("cloudwatch").model


def test_decodes_what_botocore_serializes():
    op = MODEL.operation_model("PutMetricData")
    t = dt.datetime(2026, 11, 28, 16, 1, tzinfo=dt.UTC)
    params = {
        "Namespace": "App",
        "MetricData": [
            {
                "MetricName": "Latency",
                "Dimensions": [{"Name": "Svc", "Value": "web"}],
                "Timestamp": t,
                "Values": [1.5, 2.0],
                "Counts": [1.0, 3.0],
            }
        ],
    }
    request = RpcV2CBORSerializer().serialize_to_request(params, op)
    assert request["url_path"].endswith(
        "/service/GraniteServiceVersion20100801/operation/PutMetricData"
    )
    decoded = cbor.decode(op.input_shape, request["body"])
    datum = decoded["MetricData"][0]
    assert datum["Timestamp"] == t.timestamp()
    assert (
        datum["Values"] == [1.5, 2.0]
        and datum["Dimensions"] == params["MetricData"][0]["Dimensions"]
    )


def test_botocore_parses_what_is_encoded():
    op = MODEL.operation_model("GetMetricStatistics")
    t = dt.datetime(2026, 11, 28, 16, 1, tzinfo=dt.UTC)
    body = cbor.encode(
        op.output_shape,
        {"Label": "L", "Datapoints": [{"Timestamp": t.timestamp(), "Sum": 3, "Unit": "None"}]},
    )
    parsed = RpcV2CBORParser().parse(
        {"body": body, "headers": dict(cbor.HEADERS), "status_code": 200}, op.output_shape
    )
    assert parsed["Label"] == "L"
    assert parsed["Datapoints"] == [{"Timestamp": t, "Sum": 3.0, "Unit": "None"}]


def test_errors_parse_with_code_and_message():
    status, body = cbor.encode_error(AwsError("InvalidParameterValue", "bad thing"))
    parsed = RpcV2CBORParser().parse({"body": body, "headers": {}, "status_code": status}, None)
    assert status == 400
    assert parsed["Error"]["Code"] == "InvalidParameterValue"
    assert parsed["Error"]["Message"] == "bad thing"


def test_garbage_and_wrong_types_are_refused():
    op = MODEL.operation_model("PutMetricData")
    with pytest.raises(SerializationError):
        cbor.decode(op.input_shape, b"\xff\x00garbage")
    with pytest.raises(SerializationError):
        cbor.decode(op.input_shape, cbor.cbor2.dumps({"Namespace": 5}))

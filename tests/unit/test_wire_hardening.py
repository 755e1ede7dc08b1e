"""The wire's defences, one test per defect issue #8 found: each decodes or validates a
hostile input directly and expects an AWS error (or a bounded cost), never a crash."""

from __future__ import annotations

import base64
import json
import time
import tracemalloc
from typing import Any
from xml.etree import ElementTree

import pytest

from ecsd.aws import limits, models, regions, validate
from ecsd.aws.errors import MESSAGE_MAX, SHOWN_MAX, AwsError, SerializationError
from ecsd.aws.protocols import json as json_protocol
from ecsd.aws.protocols import numbers
from ecsd.aws.protocols import query as query_protocol
from ecsd.services import pagination


def _shape(service: str, operation: str) -> Any:
    return models.load(service).model.operation_model(operation).input_shape


def _op(service: str, operation: str) -> Any:
    return models.load(service).model.operation_model(operation)


# -- Query decoder ---------------------------------------------------------------------------


def test_query_decoder_cost_is_bounded_for_a_32kb_request_of_dotted_keys():
    # One 16 KB key of dots and 2,000 short ones: every prefix of every key once cost
    # hundreds of megabytes (quadratic in the key's length).
    shape = _shape("elbv2", "CreateLoadBalancer")
    params = {"Tags.member." + ".".join(["1"] * 8000): "x"}
    params.update({f"Subnets.member.{i}": "s" for i in range(1, 2001)})
    tracemalloc.start()
    started = time.perf_counter()
    decoded = query_protocol.decode(shape, params)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(decoded["Subnets"]) == 2000
    assert peak < 20 * 1024 * 1024, peak
    assert elapsed < 2, elapsed


def test_query_decoder_reads_lists_only_from_1_upwards():
    shape = _shape("elbv2", "CreateLoadBalancer")
    assert query_protocol.decode(shape, {"Name": "a", "Subnets.member.7": "s"}) == {
        "Name": "a",
        "Subnets": [],
    }


@pytest.mark.parametrize("raw", ["１２", "1_000", "99999999999999999999", "+", "0x10", " 5"])
def test_query_integers_are_ascii_digits_in_range(raw):
    shape = _shape("elbv2", "CreateRule")
    with pytest.raises(SerializationError):
        query_protocol.decode(shape, {"Priority": raw})


@pytest.mark.parametrize("raw", ["nan", "inf", "1e999", "-Infinity"])
def test_query_doubles_are_finite_numbers(raw):
    # No hosted Query operation takes a double: the shared parser is tested directly.
    with pytest.raises(ValueError):
        numbers.parse_float(raw)


def test_query_error_xml_stays_well_formed_with_control_characters():
    error = AwsError("ValidationError", "bad \x00\x01\x1b value \ud800 <&>")
    status, body = query_protocol.encode_error(error, "rid", "https://sts.amazonaws.com/doc/")
    assert status == 400
    root = ElementTree.fromstring(body)
    message = root.find(".//{https://sts.amazonaws.com/doc/}Message")
    assert message is not None and "<&>" in (message.text or "")


# -- JSON decoder ----------------------------------------------------------------------------


def _decode(body: bytes | str, service: str = "ecs", operation: str = "DescribeClusters") -> Any:
    raw = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    return json_protocol.decode(_shape(service, operation), raw)


@pytest.mark.parametrize(
    "body",
    [
        "[" * 5000 + "]" * 5000,
        '{"clusters":' + "[" * 100000 + "]" * 100000 + "}",
        '{"clusters": [null]}',
        '{"clusters": ["\\ud800"]}',
        b'{"clusters": ["\xff\xfe"]}',
        '{"clusters": NaN}',
        '{"clusters": ["a", 1.5]}',
    ],
)
def test_json_bodies_that_are_not_requests_are_serialization_errors(body):
    with pytest.raises(SerializationError):
        _decode(body)


def test_json_map_values_must_not_be_null():
    with pytest.raises(SerializationError):
        _decode(
            '{"family": "f", "containerDefinitions": [{"name": "a", "dockerLabels": {"k": null}}]}',
            operation="RegisterTaskDefinition",
        )


@pytest.mark.parametrize(
    "member,value",
    [("desiredCount", 2**31), ("desiredCount", -(2**31) - 1), ("desiredCount", 10**30)],
)
def test_json_integers_beyond_their_type_are_refused(member, value):
    with pytest.raises(SerializationError):
        _decode(json.dumps({"serviceName": "s", member: value}), operation="CreateService")


def test_json_long_beyond_int64_is_refused_and_int64_is_not():
    body = {"logGroupName": "g", "logStreamName": "s", "startTime": 2**63}
    with pytest.raises(SerializationError):
        _decode(json.dumps(body), "logs", "GetLogEvents")
    body["startTime"] = 2**63 - 1
    assert _decode(json.dumps(body), "logs", "GetLogEvents")["startTime"] == 2**63 - 1


@pytest.mark.parametrize("stamp", [1e300, "not a date", -1e20, float("nan")])
def test_timestamps_must_be_dates(stamp):
    # No hosted operation takes a top-level timestamp, so the shared conversion is
    # tested directly.
    from ecsd.aws.protocols.timestamps import from_wire

    with pytest.raises(ValueError):
        from_wire(stamp)


# -- validation ------------------------------------------------------------------------------


def test_documented_list_maximum_refuses_describe_clusters_beyond_100_quickly():
    params = {"clusters": [f"c{i}" for i in range(50_000)]}
    started = time.perf_counter()
    with pytest.raises(AwsError) as caught:
        validate.validate(
            _shape("ecs", "DescribeClusters"),
            params,
            error_code="InvalidParameterException",
            operation=_op("ecs", "DescribeClusters"),
        )
    assert time.perf_counter() - started < 0.5
    assert caught.value.code == "InvalidParameterException"
    assert caught.value.message == "clusters can have at most 100 items."
    validate.validate(
        _shape("ecs", "DescribeClusters"),
        {"clusters": ["c"] * 100},
        error_code="InvalidParameterException",
        operation=_op("ecs", "DescribeClusters"),
    )


def test_documented_limits_name_real_list_members():
    from botocore.model import ListShape

    for (service, operation, path), _n in limits.LIST_MAX.items():
        shape: Any = _shape(service, operation)
        for name in path.split("."):
            shape = shape.members[name]
        assert isinstance(shape, ListShape), (service, operation, path)


def test_other_services_answer_the_standard_validation_text():
    with pytest.raises(AwsError) as caught:
        validate.validate(
            _shape("ssm", "RemoveTagsFromResource"),
            {"ResourceType": "Parameter", "ResourceId": "p", "TagKeys": ["k"] * 51},
            error_code="ValidationException",
            operation=_op("ssm", "RemoveTagsFromResource"),
        )
    assert "Member must have length less than or equal to 50" in caught.value.message


def test_validation_messages_are_bounded():
    huge = "x" * 1_000_000
    with pytest.raises(AwsError) as caught:
        validate.validate(
            _shape("ssm", "GetParameter"), {"Name": huge}, error_code="ValidationException"
        )
    assert len(caught.value.message) < SHOWN_MAX + 300
    many = {"Names": ["", *(["x" * 3000] * 10)]}
    with pytest.raises(AwsError) as caught:
        validate.validate(_shape("ssm", "GetParameters"), many, error_code="ValidationException")
    assert len(caught.value.message) <= MESSAGE_MAX + 3


# -- tokens ----------------------------------------------------------------------------------


def _token(value: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode()


@pytest.mark.parametrize(
    "token",
    [
        "!!!",
        "a" * 10000,
        base64.urlsafe_b64encode(b"\xff\xfe").decode(),
        _token({"a": 1}),
        _token(["a", "b"]),
        _token([1]),
        _token([["nested"]]),
        _token(["ok"])[:-2] + "!!",
        _token([2**70]),
        _token(None),
    ],
)
def test_forged_tokens_are_the_services_invalid_token_error(token):
    with pytest.raises(AwsError) as caught:
        pagination.decode_token(token, [str])
    assert caught.value.code == "InvalidParameterException"


def test_tokens_round_trip_and_check_each_kind():
    token = pagination.encode_token(["fam", 3])
    assert pagination.decode_token(token, [str, int]) == ["fam", 3]
    with pytest.raises(AwsError):
        pagination.decode_token(token, [str, str])
    with pytest.raises(AwsError):
        pagination.decode_token(_token(["fam", True]), [str, int])
    surrogate = base64.urlsafe_b64encode(b'["\\ud800"]').decode()
    with pytest.raises(AwsError):
        pagination.decode_token(surrogate, [str])


# -- SigV4 scope region ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "region", ["us-east-1", "eu-central-2", "us-gov-west-1", "cn-north-1", "ap-southeast-7"]
)
def test_aws_region_names_are_accepted(region):
    regions.check(region, "us-east-1", query=False)


@pytest.mark.parametrize(
    "region", ["garbage", "US-EAST-1", "us-east-1\x00", "x" * 5000, "us-east-\udcff", ""]
)
def test_other_scope_regions_are_refused_as_aws_does(region):
    with pytest.raises(AwsError) as caught:
        regions.check(region, "us-east-1", query=False)
    assert caught.value.code == "InvalidSignatureException"
    assert caught.value.status == 403
    assert len(caught.value.message) < 200
    with pytest.raises(AwsError) as caught:
        regions.check(region, "us-east-1", query=True)
    assert caught.value.code == "SignatureDoesNotMatch"


def test_the_configured_region_is_accepted_even_if_local():
    regions.check("local", "local", query=False)

"""The generic wire layer against botocore's own client side.

A request botocore serialises must decode to exactly the parameters it was given, and
an answer we encode must parse, with botocore's response parser, back to the value we
encoded. Both protocols; ELBv2 (Query, deep nesting, lists, maps, timestamps) and ECS
(JSON 1.1).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore import parsers, serialize

from ecsd.aws import models, validate
from ecsd.aws.errors import AwsError, SerializationError
from ecsd.aws.protocols import json as json_protocol
from ecsd.aws.protocols import query as query_protocol

UTC = dt.UTC


def _query_roundtrip(service: str, operation: str, params: dict[str, Any]) -> dict[str, Any]:
    op = models.load(service).model.operation_model(operation)
    request = serialize.create_serializer("query").serialize_to_request(params, op)
    form = {k: str(v) for k, v in request["body"].items()}
    assert form.pop("Action") == operation
    form.pop("Version")
    return query_protocol.decode(op.input_shape, form)


def test_query_request_decodes_to_what_botocore_encoded():
    params = {
        "Name": "web",
        "Subnets": ["subnet-1", "subnet-2"],
        "SecurityGroups": ["sg-1"],
        "Scheme": "internal",
        "Tags": [{"Key": "team", "Value": "a"}, {"Key": "env", "Value": ""}],
        "SubnetMappings": [{"SubnetId": "subnet-3", "AllocationId": "eip-1"}],
    }
    assert _query_roundtrip("elbv2", "CreateLoadBalancer", params) == params


def test_query_request_with_nested_actions_and_numbers():
    params = {
        "ListenerArn": "arn:listener",
        "Priority": 10,
        "Conditions": [{"Field": "path-pattern", "PathPatternConfig": {"Values": ["/a/*"]}}],
        "Actions": [
            {
                "Type": "forward",
                "ForwardConfig": {
                    "TargetGroups": [{"TargetGroupArn": "arn:tg1", "Weight": 3}],
                    "TargetGroupStickinessConfig": {"Enabled": True, "DurationSeconds": 60},
                },
            }
        ],
    }
    assert _query_roundtrip("elbv2", "CreateRule", params) == params


def test_query_empty_list_is_sent_and_decoded():
    decoded = _query_roundtrip(
        "elbv2", "SetSecurityGroups", {"LoadBalancerArn": "arn:lb", "SecurityGroups": []}
    )
    assert decoded == {"LoadBalancerArn": "arn:lb", "SecurityGroups": []}


def _parse(
    service: str,
    operation: str,
    protocol: str,
    status: int,
    body: bytes,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    op = models.load(service).model.operation_model(operation)
    response = {"status_code": status, "headers": headers or {}, "body": body}
    return parsers.create_parser(protocol).parse(response, op.output_shape)


def test_query_response_parses_back_in_botocore():
    created = dt.datetime(2026, 11, 23, 1, 2, 3, 456000, tzinfo=UTC)
    value = {
        "LoadBalancers": [
            {
                "LoadBalancerArn": "arn:lb",
                "DNSName": "web.local",
                "CreatedTime": created,
                "LoadBalancerName": "web",
                "Scheme": "internal",
                "VpcId": "vpc-1",
                "State": {"Code": "active"},
                "Type": "application",
                "AvailabilityZones": [{"ZoneName": "us-east-1a", "SubnetId": "subnet-1"}],
                "SecurityGroups": ["sg-1", "sg-2"],
                "IpAddressType": "ipv4",
            }
        ]
    }
    op = models.load("elbv2").model.operation_model("CreateLoadBalancer")
    body = query_protocol.encode(
        op, value, "req-1", "http://elasticloadbalancing.amazonaws.com/doc/2015-12-01/"
    )
    parsed = _parse("elbv2", "CreateLoadBalancer", "query", 200, body)
    assert parsed["ResponseMetadata"]["RequestId"] == "req-1"
    del parsed["ResponseMetadata"]
    assert parsed == value


def test_query_map_and_flags_roundtrip():
    value = {"Attributes": [{"Key": "deregistration_delay.timeout_seconds", "Value": "300"}]}
    op = models.load("elbv2").model.operation_model("DescribeTargetGroupAttributes")
    body = query_protocol.encode(op, value, "r", "ns")
    parsed = _parse("elbv2", "DescribeTargetGroupAttributes", "query", 200, body)
    assert parsed["Attributes"] == value["Attributes"]


def test_query_error_parses_in_botocore():
    status, body = query_protocol.encode_error(
        AwsError("PriorityInUse", "Priority '10' is currently in use"), "req-2", "ns"
    )
    parsed = _parse("elbv2", "CreateRule", "query", status, body)
    assert status == 400
    assert parsed["Error"] == {
        "Type": "Sender",
        "Code": "PriorityInUse",
        "Message": "Priority '10' is currently in use",
    }


def test_json_request_decodes_to_what_botocore_encoded():
    op = models.load("ecs").model.operation_model("RegisterTaskDefinition")
    params = {
        "family": "web",
        "cpu": "256",
        "memory": "512",
        "networkMode": "awsvpc",
        "containerDefinitions": [
            {
                "name": "app",
                "image": "nginx",
                "essential": True,
                "portMappings": [{"containerPort": 80}],
                "dockerLabels": {"a": "b"},
            }
        ],
    }
    request = serialize.create_serializer("json").serialize_to_request(params, op)
    assert json_protocol.decode(op.input_shape, request["body"]) == params


def test_json_response_parses_back_in_botocore():
    registered = dt.datetime(2026, 1, 2, 3, 4, 5, 500000, tzinfo=UTC)
    value = {
        "taskDefinition": {
            "family": "web",
            "revision": 3,
            "registeredAt": registered,
            "containerDefinitions": [{"name": "app", "cpu": 0}],
        },
        "tags": [],
    }
    op = models.load("ecs").model.operation_model("RegisterTaskDefinition")
    parsed = _parse(
        "ecs", "RegisterTaskDefinition", "json", 200, json_protocol.encode(op.output_shape, value)
    )
    parsed.pop("ResponseMetadata")
    assert parsed == value


def test_json_output_drops_members_the_model_does_not_know():
    op = models.load("ecs").model.operation_model("ListClusters")
    body = json_protocol.encode(
        op.output_shape, {"clusterArns": ["a"], "secretThing": 1, "nextToken": None}
    )
    assert body == b'{"clusterArns":["a"]}'


@pytest.mark.parametrize(
    "body, message",
    [
        (b"{nope", "not valid JSON"),
        (b"[]", "Start of list"),
        (b'{"clusters": "default"}', "expected list, got str"),
        (b'{"clusters": [1]}', "expected string, got int"),
        (b'{"maxResults": true}', "expected integer, got bool"),
    ],
)
def test_json_type_errors_are_serialization_exceptions(body, message):
    op = models.load("ecs").model.operation_model(
        "DescribeClusters"
        if b"clusters" in body or b"[" in body or b"nope" in body
        else "ListClusters"
    )
    with pytest.raises(SerializationError) as err:
        json_protocol.decode(op.input_shape, body)
    assert err.value.code == "SerializationException"
    assert message in err.value.message


def test_validation_lists_every_problem_in_aws_words():
    op = models.load("ecs").model.operation_model("RegisterTaskDefinition")
    with pytest.raises(AwsError) as err:
        validate.validate(
            op.input_shape,
            {"containerDefinitions": [{"name": "x"}], "networkMode": "bridgey"},
            error_code="InvalidParameterException",
        )
    assert err.value.code == "InvalidParameterException"
    assert err.value.message == (
        "2 validation errors detected: Value null at 'family' failed to satisfy constraint: "
        "Member must not be null; Value 'bridgey' at 'networkMode' failed to satisfy "
        "constraint: Member must satisfy enum value set: [bridge, host, awsvpc, none]"
    )


def test_validation_checks_lengths_and_ranges():
    op = models.load("elbv2").model.operation_model("CreateTargetGroup")
    with pytest.raises(AwsError) as err:
        validate.validate(
            op.input_shape,
            {"Name": "web", "HealthCheckIntervalSeconds": 1},
            error_code="ValidationError",
        )
    assert "Member must have value greater than or equal to 5" in err.value.message
    op = models.load("ecs").model.operation_model("TagResource")
    with pytest.raises(AwsError) as err:
        validate.validate(
            op.input_shape,
            {"resourceArn": "a", "tags": [{"key": "k" * 200, "value": "v"}]},
            error_code="InvalidParameterException",
        )
    assert err.value.message.endswith(
        "at 'tags.1.member.key' failed to satisfy constraint: Member must have length less "
        "than or equal to 128"
    )


def test_validation_never_quotes_a_sensitive_value():
    op = models.load("secretsmanager").model.operation_model("CreateSecret")
    secret = "s3cr3t-" + "x" * 70000
    with pytest.raises(AwsError) as err:
        validate.validate(
            op.input_shape, {"Name": "n", "SecretString": secret}, error_code="ValidationException"
        )
    assert err.value.message == (
        "1 validation error detected: Value at 'secretString' failed to satisfy constraint: "
        "Member must have length less than or equal to 65536"
    )
    assert "s3cr3t" not in err.value.message


def test_validation_prints_values_as_aws_does():
    """Numbers, lists and structures printed as AWS's front end prints them (Java's
    toString), member names with the first letter lowered, every problem reported."""
    op = models.load("ssm").model.operation_model("DescribeParameters")
    with pytest.raises(AwsError) as err:
        validate.validate(
            op.input_shape,
            {"MaxResults": 51, "ParameterFilters": [{"Key": "Name", "Option": "x" * 11}]},
            error_code="ValidationException",
            operation=op,
        )
    assert err.value.message == (
        "2 validation errors detected: Value '51' at 'maxResults' failed to satisfy "
        "constraint: Member must have value less than or equal to 50; Value 'xxxxxxxxxxx' at "
        "'parameterFilters.1.member.option' failed to satisfy constraint: Member must have "
        "length less than or equal to 10"
    )
    op = models.load("ssm").model.operation_model("GetParameters")
    for names, constraint in (
        ([], "greater than or equal to 1"),
        (["a", "b"] * 6, "less than or equal to 10"),
    ):
        with pytest.raises(AwsError) as err:
            validate.validate(
                op.input_shape, {"Names": names}, error_code="ValidationException", operation=op
            )
        shown = "[" + ", ".join(names) + "]"
        assert err.value.message == (
            f"1 validation error detected: Value '{shown}' at 'names' failed to satisfy "
            f"constraint: Member must have length {constraint}"
        )
    op = models.load("secretsmanager").model.operation_model("TagResource")
    with pytest.raises(AwsError) as err:
        validate.validate(
            op.input_shape,
            {"SecretId": "s", "Tags": [{"Key": "k", "Value": "v"}] * 51},
            error_code="ValidationException",
            operation=op,
        )
    assert err.value.message.startswith(
        "1 validation error detected: Value '[Tag(key=k, value=v), Tag(key=k, value=v), "
    )
    assert err.value.message.endswith(
        "Tag(key=k, value=v)]' at 'tags' failed to satisfy constraint: Member must have "
        "length less than or equal to 50"
    )


def test_validation_prints_at_most_a_bounded_value():
    op = models.load("ssm").model.operation_model("GetParameters")
    with pytest.raises(AwsError) as err:
        validate.validate(
            op.input_shape,
            {"Names": ["n" * 1000] * 50_000},
            error_code="ValidationException",
            operation=op,
        )
    assert len(err.value.message) < 2300
    assert "...' at 'names'" in err.value.message

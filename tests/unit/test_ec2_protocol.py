"""The `ec2` protocol codec against botocore's own EC2 client side.

A request botocore's EC2Serializer writes must decode to exactly the parameters it was
given (queryName / capitalised locationName keys, `.N` lists without `member`), and an
answer or error we encode must parse back in botocore's EC2QueryParser.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from botocore import parsers, serialize

from ecsd.aws import models
from ecsd.aws.errors import AwsError, SerializationError
from ecsd.aws.protocols import ec2 as ec2_protocol


def _op(operation: str) -> Any:
    return models.load("ec2").model.operation_model(operation)


def _roundtrip(operation: str, params: dict[str, Any]) -> dict[str, Any]:
    op = _op(operation)
    request = serialize.create_serializer("ec2").serialize_to_request(params, op)
    form = {k: str(v) for k, v in request["body"].items()}
    assert form.pop("Action") == operation
    assert form.pop("Version") == "2016-11-15"
    return ec2_protocol.decode(op.input_shape, form)


def _parse(operation: str, status: int, body: bytes) -> dict[str, Any]:
    response = {"status_code": status, "headers": {}, "body": body}
    return parsers.create_parser("ec2").parse(response, _op(operation).output_shape)


def test_filters_and_id_lists_decode_without_member():
    params = {
        "VpcIds": ["vpc-1", "vpc-2"],
        "Filters": [
            {"Name": "tag:Name", "Values": ["web", "db"]},
            {"Name": "cidr-block", "Values": ["10.0.0.0/16"]},
        ],
        "MaxResults": 5,
        "DryRun": False,
    }
    assert _roundtrip("DescribeVpcs", params) == params


def test_location_names_and_query_names_are_followed():
    # CreateVpc's TagSpecifications has locationName "TagSpecification" (singular on
    # the wire); AmazonProvidedIpv6CidrBlock is a camel-cased locationName.
    params = {
        "CidrBlock": "10.0.0.0/16",
        "AmazonProvidedIpv6CidrBlock": True,
        "InstanceTenancy": "default",
        "TagSpecifications": [{"ResourceType": "vpc", "Tags": [{"Key": "Name", "Value": "main"}]}],
    }
    op = _op("CreateVpc")
    body = serialize.create_serializer("ec2").serialize_to_request(params, op)["body"]
    assert "TagSpecification.1.Tag.1.Key" in body
    assert _roundtrip("CreateVpc", params) == params


def test_nested_permissions_decode():
    params = {
        "GroupId": "sg-1",
        "IpPermissions": [
            {
                "IpProtocol": "tcp",
                "FromPort": 80,
                "ToPort": 80,
                "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "web"}],
                "UserIdGroupPairs": [{"GroupId": "sg-2"}],
            }
        ],
    }
    assert _roundtrip("AuthorizeSecurityGroupIngress", params) == params


def test_attribute_value_structures_decode():
    params = {"VpcId": "vpc-1", "EnableDnsHostnames": {"Value": True}}
    assert _roundtrip("ModifyVpcAttribute", params) == params


def test_bad_scalar_is_a_serialization_error():
    with pytest.raises(SerializationError):
        ec2_protocol.decode(_op("DescribeVpcs").input_shape, {"MaxResults": "many"})


def test_response_parses_back_with_items_and_tags():
    value = {
        "Vpcs": [
            {
                "VpcId": "vpc-0123456789abcdef0",
                "CidrBlock": "10.0.0.0/16",
                "State": "available",
                "IsDefault": False,
                "Tags": [{"Key": "Name", "Value": "a<b&c"}],
                "CidrBlockAssociationSet": [
                    {
                        "AssociationId": "vpc-cidr-assoc-1",
                        "CidrBlock": "10.0.0.0/16",
                        "CidrBlockState": {"State": "associated"},
                    }
                ],
            }
        ]
    }
    body = ec2_protocol.encode(_op("DescribeVpcs"), value, "req-1")
    assert b'<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/">' in body
    assert b"<requestId>req-1</requestId>" in body
    assert b"<vpcSet><item>" in body
    parsed = _parse("DescribeVpcs", 200, body)
    assert parsed.pop("ResponseMetadata")["RequestId"] == "req-1"
    assert parsed == value


def test_scalar_and_timestamp_outputs_parse_back():
    when = dt.datetime(2026, 11, 28, 1, 2, 3, tzinfo=dt.UTC)
    value = {
        "NatGateway": {
            "NatGatewayId": "nat-1",
            "CreateTime": when,
            "State": "available",
            "SubnetId": "subnet-1",
        }
    }
    parsed = _parse(
        "CreateNatGateway", 200, ec2_protocol.encode(_op("CreateNatGateway"), value, "r")
    )
    parsed.pop("ResponseMetadata")
    assert parsed == value
    ok = _parse("DeleteVpc", 200, ec2_protocol.encode(_op("DeleteVpc"), {}, "r2"))
    assert ok["ResponseMetadata"]["RequestId"] == "r2"


def test_error_is_in_ec2_shape_and_botocore_reads_its_code():
    error = AwsError("InvalidVpcID.NotFound", "The vpc ID 'vpc-1' does not exist")
    status, body = ec2_protocol.encode_error(error, "req-9")
    assert status == 400
    assert body.count(b"<Response><Errors><Error><Code>") == 1
    parsed = _parse("DescribeVpcs", status, body)
    assert parsed["Error"] == {
        "Code": "InvalidVpcID.NotFound",
        "Message": "The vpc ID 'vpc-1' does not exist",
    }
    assert parsed["ResponseMetadata"]["RequestId"] == "req-9"

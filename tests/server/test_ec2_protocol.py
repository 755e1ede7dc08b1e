"""The `ec2` wire end to end: boto3 and the aws CLI against a real `ecsd serve`.

Answers parse in botocore's EC2 parser and errors arrive in EC2's
`<Response><Errors>` shape with their code (not the UnknownError Terraform reported
while EC2 calls got another protocol's error body).
"""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import REGION, aws_error


@pytest.fixture
def ec2(client):
    return client("ec2")


def test_availability_zones_answer_in_ec2_xml(ec2):
    zones = ec2.describe_availability_zones()["AvailabilityZones"]
    assert [z["ZoneName"] for z in zones] == [f"{REGION}a", f"{REGION}b", f"{REGION}c"]
    assert {z["State"] for z in zones} == {"available"}
    one = ec2.describe_availability_zones(ZoneNames=[f"{REGION}b"])["AvailabilityZones"]
    assert [z["ZoneName"] for z in one] == [f"{REGION}b"]


def test_account_attributes_lists_of_items(ec2):
    attrs = ec2.describe_account_attributes(AttributeNames=["supported-platforms"])
    assert attrs["AccountAttributes"] == [
        {"AttributeName": "supported-platforms", "AttributeValues": [{"AttributeValue": "VPC"}]}
    ]


def test_unserved_action_is_an_ec2_shaped_error(ec2):
    with pytest.raises(ClientError) as err:
        ec2.describe_instance_types()
    assert aws_error(err) == (
        "InvalidAction",
        "The action DescribeInstanceTypes is not valid for this web service.",
    )
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_bad_number_is_refused_in_ec2_shape(ec2):
    ec2.meta.events.register(
        "before-sign.ec2.DescribeAvailabilityZones",
        lambda request, **_: setattr(
            request, "data", {**request.data, "ZoneName.1": "x", "AllAvailabilityZones": "maybe"}
        ),
    )
    with pytest.raises(ClientError) as err:
        ec2.describe_availability_zones()
    assert aws_error(err) == (
        "SerializationException",
        "Invalid boolean value 'maybe' for parameter AllAvailabilityZones",
    )


def test_aws_cli_reads_zones(aws):
    out = aws.json("ec2", "describe-availability-zones", "--region", REGION)
    assert len(out["AvailabilityZones"]) == 3
    failed = aws.run("ec2", "describe-instance-types", "--region", REGION, check=False)
    assert failed.returncode != 0
    assert "InvalidAction" in failed.stderr

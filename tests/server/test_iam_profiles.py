"""IAM instance profiles and the role in them, via boto3."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error

TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}'


@pytest.fixture
def iam(client):
    return client("iam")


def test_profile_holds_one_role_and_blocks_deletes(iam):
    iam.create_role(RoleName="node", AssumeRolePolicyDocument=TRUST)
    prof = iam.create_instance_profile(InstanceProfileName="ip")["InstanceProfile"]
    assert prof["Arn"] == "arn:aws:iam::000000000000:instance-profile/ip"
    iam.add_role_to_instance_profile(InstanceProfileName="ip", RoleName="node")
    got = iam.get_instance_profile(InstanceProfileName="ip")["InstanceProfile"]
    assert [r["RoleName"] for r in got["Roles"]] == ["node"]
    listed = iam.list_instance_profiles_for_role(RoleName="node")["InstanceProfiles"]
    assert [p["InstanceProfileName"] for p in listed] == ["ip"]
    with pytest.raises(ClientError) as err:
        iam.delete_role(RoleName="node")
    assert aws_error(err) == (
        "DeleteConflict",
        "Cannot delete entity, must remove roles from instance profile first.",
    )
    with pytest.raises(ClientError) as err:
        iam.delete_instance_profile(InstanceProfileName="ip")
    assert aws_error(err)[0] == "DeleteConflict"
    iam.remove_role_from_instance_profile(InstanceProfileName="ip", RoleName="node")
    iam.delete_instance_profile(InstanceProfileName="ip")
    iam.delete_role(RoleName="node")
    assert iam.list_instance_profiles()["InstanceProfiles"] == []
    with pytest.raises(ClientError) as err:
        iam.get_instance_profile(InstanceProfileName="ip")
    assert aws_error(err) == ("NoSuchEntity", "Instance Profile ip cannot be found.")

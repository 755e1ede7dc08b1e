"""IAM roles and inline policies through boto3 and the aws CLI against a real `ecsd serve`."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error

TRUST = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"Service": "ecs-tasks.amazonaws.com"},
                "Action": "sts:AssumeRole",
            }
        ],
    }
)
SSM_READ = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ssm:GetParameters"],"Resource":"*"}]}'


@pytest.fixture
def iam(client):
    return client("iam")


def test_create_get_and_duplicate(iam):
    role = iam.create_role(
        RoleName="taskRole",
        Path="/app/",
        AssumeRolePolicyDocument=TRUST,
        Description="the task role",
        Tags=[{"Key": "team", "Value": "a"}],
    )["Role"]
    assert role["Arn"] == "arn:aws:iam::000000000000:role/app/taskRole"
    assert role["RoleId"].startswith("AROA") and len(role["RoleId"]) == 21
    assert role["MaxSessionDuration"] == 3600
    got = iam.get_role(RoleName="taskRole")["Role"]
    # boto3 decodes the URL-encoded document into a dict; the text round-trips as written
    assert got["AssumeRolePolicyDocument"] == json.loads(TRUST)
    assert got["Description"] == "the task role"
    assert got["Tags"] == [{"Key": "team", "Value": "a"}]
    with pytest.raises(ClientError) as err:
        iam.create_role(RoleName="taskrole", AssumeRolePolicyDocument=TRUST)
    assert aws_error(err) == ("EntityAlreadyExists", "Role with name taskrole already exists.")
    with pytest.raises(ClientError) as err:
        iam.get_role(RoleName="nope")
    assert aws_error(err) == ("NoSuchEntity", "The role with name nope cannot be found.")


def test_malformed_trust_policy_changes_nothing(iam):
    with pytest.raises(ClientError) as err:
        iam.create_role(RoleName="bad", AssumeRolePolicyDocument="{not json")
    assert aws_error(err) == ("MalformedPolicyDocument", "This policy contains invalid Json")
    with pytest.raises(ClientError) as err:
        iam.create_role(RoleName="bad", AssumeRolePolicyDocument='{"Version":"2012-10-17"}')
    assert aws_error(err)[0] == "MalformedPolicyDocument"
    assert iam.list_roles()["Roles"] == []


def test_list_roles_paging_and_path_prefix(iam):
    for i in range(5):
        iam.create_role(
            RoleName=f"r{i}", Path="/a/" if i % 2 else "/", AssumeRolePolicyDocument=TRUST
        )
    first = iam.list_roles(MaxItems=2)
    assert [r["RoleName"] for r in first["Roles"]] == ["r0", "r1"] and first["IsTruncated"]
    rest = iam.list_roles(MaxItems=10, Marker=first["Marker"])
    assert [r["RoleName"] for r in rest["Roles"]] == ["r2", "r3", "r4"]
    assert not rest["IsTruncated"]
    under = iam.list_roles(PathPrefix="/a/")["Roles"]
    assert [r["RoleName"] for r in under] == ["r1", "r3"]


def test_inline_policies_and_delete_conflict(iam):
    iam.create_role(RoleName="t", AssumeRolePolicyDocument=TRUST)
    iam.put_role_policy(RoleName="t", PolicyName="ssm", PolicyDocument=SSM_READ)
    raw = iam.get_role_policy(RoleName="t", PolicyName="ssm")
    assert raw["PolicyDocument"] == json.loads(SSM_READ)
    assert iam.list_role_policies(RoleName="t")["PolicyNames"] == ["ssm"]
    with pytest.raises(ClientError) as err:
        iam.delete_role(RoleName="t")
    assert aws_error(err) == (
        "DeleteConflict",
        "Cannot delete entity, must delete policies first.",
    )
    iam.delete_role_policy(RoleName="t", PolicyName="ssm")
    iam.delete_role(RoleName="t")
    with pytest.raises(ClientError) as err:
        iam.get_role(RoleName="t")
    assert aws_error(err)[0] == "NoSuchEntity"


def test_updates_and_tags(iam):
    iam.create_role(RoleName="u", AssumeRolePolicyDocument=TRUST)
    iam.update_role(RoleName="u", Description="d1", MaxSessionDuration=7200)
    role = iam.update_role_description(RoleName="u", Description="d2")["Role"]
    assert (role["Description"], role["MaxSessionDuration"]) == ("d2", 7200)
    other = TRUST.replace("ecs-tasks", "ec2")
    iam.update_assume_role_policy(RoleName="u", PolicyDocument=other)
    assert iam.get_role(RoleName="u")["Role"]["AssumeRolePolicyDocument"] == json.loads(other)
    iam.tag_role(RoleName="u", Tags=[{"Key": "a", "Value": "1"}, {"Key": "b", "Value": "2"}])
    iam.untag_role(RoleName="u", TagKeys=["a"])
    assert iam.list_role_tags(RoleName="u")["Tags"] == [{"Key": "b", "Value": "2"}]


def test_cli_sees_the_encoded_document_as_written(aws):
    aws.json("iam", "create-role", "--role-name", "cli", "--assume-role-policy-document", TRUST)
    out = aws.run(
        "iam", "get-role", "--role-name", "cli", "--query", "Role.AssumeRolePolicyDocument"
    ).stdout
    assert json.loads(out) == json.loads(TRUST)

"""IAM managed policies (customer and AWS's) and attaching them to roles, via boto3."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error

TRUST = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole"}]}'
DOC = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"ssm:GetParameters","Resource":"*"}]}'
EXEC = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"


@pytest.fixture
def iam(client):
    return client("iam")


def test_policy_versions_and_limit(iam):
    pol = iam.create_policy(PolicyName="p", PolicyDocument=DOC, Path="/x/")["Policy"]
    arn = pol["Arn"]
    assert arn == "arn:aws:iam::000000000000:policy/x/p" and pol["DefaultVersionId"] == "v1"
    with pytest.raises(ClientError) as err:
        iam.create_policy(PolicyName="p", PolicyDocument=DOC, Path="/x/")
    assert aws_error(err)[0] == "EntityAlreadyExists"
    for _ in range(4):
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=DOC, SetAsDefault=True)
    with pytest.raises(ClientError) as err:
        iam.create_policy_version(PolicyArn=arn, PolicyDocument=DOC)
    assert aws_error(err)[0] == "LimitExceeded"
    assert iam.get_policy(PolicyArn=arn)["Policy"]["DefaultVersionId"] == "v5"
    iam.set_default_policy_version(PolicyArn=arn, VersionId="v2")
    with pytest.raises(ClientError) as err:
        iam.delete_policy_version(PolicyArn=arn, VersionId="v2")
    assert aws_error(err)[0] == "DeleteConflict"
    iam.delete_policy_version(PolicyArn=arn, VersionId="v5")
    ids = [v["VersionId"] for v in iam.list_policy_versions(PolicyArn=arn)["Versions"]]
    assert sorted(ids) == ["v1", "v2", "v3", "v4"]
    v = iam.get_policy_version(PolicyArn=arn, VersionId="v2")["PolicyVersion"]
    assert v["Document"] == json.loads(DOC) and v["IsDefaultVersion"]


def test_attach_aws_and_own_policy_blocks_deletes(iam):
    iam.create_role(RoleName="exec", AssumeRolePolicyDocument=TRUST)
    own = iam.create_policy(PolicyName="mine", PolicyDocument=DOC)["Policy"]["Arn"]
    iam.attach_role_policy(RoleName="exec", PolicyArn=EXEC)
    iam.attach_role_policy(RoleName="exec", PolicyArn=own)
    attached = iam.list_attached_role_policies(RoleName="exec")["AttachedPolicies"]
    assert {a["PolicyArn"] for a in attached} == {EXEC, own}
    assert iam.get_policy(PolicyArn=EXEC)["Policy"]["AttachmentCount"] == 1
    roles = iam.list_entities_for_policy(PolicyArn=own)["PolicyRoles"]
    assert [r["RoleName"] for r in roles] == ["exec"]
    with pytest.raises(ClientError) as err:
        iam.delete_policy(PolicyArn=own)
    assert aws_error(err) == ("DeleteConflict", "Cannot delete a policy attached to entities.")
    with pytest.raises(ClientError) as err:
        iam.delete_role(RoleName="exec")
    assert aws_error(err) == (
        "DeleteConflict",
        "Cannot delete entity, must detach all policies first.",
    )
    local = iam.list_policies(Scope="Local", OnlyAttached=True)["Policies"]
    assert [p["Arn"] for p in local] == [own]
    aws_side = {p["PolicyName"] for p in iam.list_policies(Scope="AWS")["Policies"]}
    assert {"AmazonSSMReadOnlyAccess", "AmazonECSTaskExecutionRolePolicy"} <= aws_side
    iam.detach_role_policy(RoleName="exec", PolicyArn=EXEC)
    iam.detach_role_policy(RoleName="exec", PolicyArn=own)
    iam.delete_policy(PolicyArn=own)
    iam.delete_role(RoleName="exec")
    with pytest.raises(ClientError) as err:
        iam.get_policy(PolicyArn=own)
    assert aws_error(err)[0] == "NoSuchEntity"

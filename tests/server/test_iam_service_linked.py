"""Service-linked roles and tags on managed policies and instance profiles, through
boto3 and the aws CLI against a real `ecsd serve`."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error

ECS_POLICY = "arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy"
DOC = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:Get*","Resource":"*"}]}'


@pytest.fixture
def iam(client):
    return client("iam")


def test_a_service_linked_role_is_made_once_and_only_aws_changes_it(iam) -> None:
    role = iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")["Role"]
    assert role["RoleName"] == "AWSServiceRoleForECS"
    assert role["Path"] == "/aws-service-role/ecs.amazonaws.com/"
    assert role["Arn"] == (
        "arn:aws:iam::000000000000:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS"
    )
    trust = iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]["AssumeRolePolicyDocument"]
    assert trust["Statement"][0]["Principal"] == {"Service": ["ecs.amazonaws.com"]}
    attached = iam.list_attached_role_policies(RoleName="AWSServiceRoleForECS")
    assert [a["PolicyArn"] for a in attached["AttachedPolicies"]] == [ECS_POLICY]
    assert iam.get_policy(PolicyArn=ECS_POLICY)["Policy"]["AttachmentCount"] == 1

    with pytest.raises(ClientError) as err:
        iam.create_service_linked_role(AWSServiceName="ecs.amazonaws.com")
    assert aws_error(err) == (
        "InvalidInput",
        "Service role name AWSServiceRoleForECS has been taken in this account, please try "
        "a different suffix.",
    )
    for refused in (
        lambda: iam.delete_role(RoleName="AWSServiceRoleForECS"),
        lambda: iam.detach_role_policy(RoleName="AWSServiceRoleForECS", PolicyArn=ECS_POLICY),
        lambda: iam.put_role_policy(
            RoleName="AWSServiceRoleForECS", PolicyName="mine", PolicyDocument=DOC
        ),
    ):
        with pytest.raises(ClientError) as err:
            refused()
        assert aws_error(err) == (
            "UnmodifiableEntity",
            "Cannot perform the operation on the protected role 'AWSServiceRoleForECS' - "
            "this role is only modifiable by AWS",
        )
    assert iam.list_attached_role_policies(RoleName="AWSServiceRoleForECS")["AttachedPolicies"]

    task = iam.delete_service_linked_role(RoleName="AWSServiceRoleForECS")["DeletionTaskId"]
    assert task.startswith("task/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS/")
    status = iam.get_service_linked_role_deletion_status(DeletionTaskId=task)
    assert status["Status"] == "SUCCEEDED"
    with pytest.raises(ClientError) as err:
        iam.get_role(RoleName="AWSServiceRoleForECS")
    assert aws_error(err)[0] == "NoSuchEntity"
    assert iam.get_policy(PolicyArn=ECS_POLICY)["Policy"]["AttachmentCount"] == 0


def test_service_linked_names_suffixes_and_refusals(iam, aws) -> None:
    made = aws.json(
        "iam", "create-service-linked-role", "--aws-service-name",
        "ecs.application-autoscaling.amazonaws.com",
    )["Role"]  # fmt: skip
    assert made["RoleName"] == "AWSServiceRoleForApplicationAutoScaling_ECSService"
    elb = iam.create_service_linked_role(
        AWSServiceName="elasticloadbalancing.amazonaws.com", Description="lb"
    )["Role"]
    assert elb["RoleName"] == "AWSServiceRoleForElasticLoadBalancing"
    assert elb["Description"] == "lb"
    suffixed = iam.create_service_linked_role(
        AWSServiceName="autoscaling.amazonaws.com", CustomSuffix="web"
    )["Role"]
    assert suffixed["RoleName"] == "AWSServiceRoleForAutoScaling_web"
    with pytest.raises(ClientError) as err:
        iam.create_service_linked_role(
            AWSServiceName="ecs.application-autoscaling.amazonaws.com", CustomSuffix="x"
        )
    assert aws_error(err)[0] == "InvalidInput"
    with pytest.raises(ClientError) as err:
        iam.create_service_linked_role(AWSServiceName="nothing.example.com")
    assert aws_error(err)[0] == "InvalidInput"
    names = {r["RoleName"] for r in iam.list_roles(PathPrefix="/aws-service-role/")["Roles"]}
    assert names == {
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AWSServiceRoleForElasticLoadBalancing",
        "AWSServiceRoleForAutoScaling_web",
    }
    # A role of the account's own is not deleted through the service-linked call.
    iam.create_role(RoleName="plain", AssumeRolePolicyDocument=json.dumps(json.loads(DOC)))
    with pytest.raises(ClientError) as err:
        iam.delete_service_linked_role(RoleName="plain")
    assert aws_error(err)[0] == "InvalidInput"
    iam.get_role(RoleName="plain")


def test_tags_on_policies_and_instance_profiles(iam) -> None:
    arn = iam.create_policy(
        PolicyName="reader", PolicyDocument=DOC, Tags=[{"Key": "team", "Value": "a"}]
    )["Policy"]["Arn"]
    iam.tag_policy(
        PolicyArn=arn, Tags=[{"Key": "env", "Value": "dev"}, {"Key": "team", "Value": "b"}]
    )
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [
        {"Key": "team", "Value": "b"},
        {"Key": "env", "Value": "dev"},
    ]
    iam.untag_policy(PolicyArn=arn, TagKeys=["team"])
    assert iam.get_policy(PolicyArn=arn)["Policy"]["Tags"] == [{"Key": "env", "Value": "dev"}]
    with pytest.raises(ClientError) as err:
        iam.tag_policy(PolicyArn=ECS_POLICY, Tags=[{"Key": "k", "Value": "v"}])
    assert aws_error(err)[0] == "AccessDenied"
    assert iam.list_policy_tags(PolicyArn=ECS_POLICY)["Tags"] == []
    with pytest.raises(ClientError) as err:
        iam.tag_policy(PolicyArn=arn, Tags=[{"Key": f"k{i}", "Value": ""} for i in range(50)])
    assert aws_error(err) == ("LimitExceeded", "Cannot exceed quota for TagsPerPolicy: 50.")
    assert iam.list_policy_tags(PolicyArn=arn)["Tags"] == [{"Key": "env", "Value": "dev"}]

    iam.create_instance_profile(InstanceProfileName="web", Tags=[{"Key": "a", "Value": "1"}])
    iam.tag_instance_profile(InstanceProfileName="web", Tags=[{"Key": "b", "Value": "2"}])
    iam.untag_instance_profile(InstanceProfileName="web", TagKeys=["a"])
    assert iam.list_instance_profile_tags(InstanceProfileName="web")["Tags"] == [
        {"Key": "b", "Value": "2"}
    ]
    shown = iam.get_instance_profile(InstanceProfileName="web")["InstanceProfile"]
    assert shown["Tags"] == [{"Key": "b", "Value": "2"}]
    with pytest.raises(ClientError) as err:
        iam.list_instance_profile_tags(InstanceProfileName="nope")
    assert aws_error(err)[0] == "NoSuchEntity"


def test_aws_managed_policies_carry_aws_documents(iam) -> None:
    arn = "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly"
    policy = iam.get_policy(PolicyArn=arn)["Policy"]
    assert policy["DefaultVersionId"] == "v3"
    assert policy["CreateDate"].isoformat() == "2015-12-21T17:04:00+00:00"
    version = iam.get_policy_version(PolicyArn=arn, VersionId="v3")["PolicyVersion"]
    assert "ecr:DescribeImageScanFindings" in version["Document"]["Statement"][0]["Action"]


def test_a_service_role_policy_goes_only_on_its_service_linked_role(iam) -> None:
    assert iam.get_policy(PolicyArn=ECS_POLICY)["Policy"]["IsAttachable"] is False
    iam.create_role(RoleName="mine", AssumeRolePolicyDocument=json.dumps(json.loads(DOC)))
    with pytest.raises(ClientError) as err:
        iam.attach_role_policy(RoleName="mine", PolicyArn=ECS_POLICY)
    assert aws_error(err)[0] == "PolicyNotAttachable"
    assert iam.list_attached_role_policies(RoleName="mine")["AttachedPolicies"] == []

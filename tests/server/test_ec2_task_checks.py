"""ECS checks awsvpc network configurations against EC2's records (no Docker needed:
refused calls never start a task). Before the user has a VPC of their own any id is
accepted; after, RunTask, CreateService and UpdateService refuse a subnet or group
that does not exist with ECS's text, and change nothing."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error

GHOST_SUBNET = "subnet-0000000000000dead"
GHOST_GROUP = "sg-0000000000000dead"


def _network(subnets, groups=()):
    return {
        "awsvpcConfiguration": {
            "subnets": list(subnets),
            "securityGroups": list(groups),
            "assignPublicIp": "DISABLED",
        }
    }


@pytest.fixture
def taskdef(ecs):
    ecs.create_cluster(clusterName="default")
    return ecs.register_task_definition(
        family="net",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "app", "image": "busybox"}],
    )["taskDefinition"]["taskDefinitionArn"]


def test_without_a_user_vpc_any_id_is_accepted(ecs, taskdef):
    ecs.create_service(
        serviceName="free",
        taskDefinition=taskdef,
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration=_network([GHOST_SUBNET], [GHOST_GROUP]),
    )


def test_with_a_user_vpc_unknown_ids_are_refused(ecs, client, taskdef):
    ec2 = client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.50.0.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="t", Description="t", VpcId=vpc_id)["GroupId"]
    subnet_text = (
        "InvalidParameterException",
        f"Error retrieving subnet information for [{GHOST_SUBNET}]: The subnet ID "
        f"'{GHOST_SUBNET}' does not exist (ErrorCode: InvalidSubnetID.NotFound)",
    )
    with pytest.raises(ClientError) as err:
        ecs.run_task(
            taskDefinition=taskdef,
            launchType="FARGATE",
            networkConfiguration=_network([GHOST_SUBNET]),
        )
    assert aws_error(err) == subnet_text
    assert ecs.list_tasks()["taskArns"] == []
    with pytest.raises(ClientError) as err:
        ecs.create_service(
            serviceName="web",
            taskDefinition=taskdef,
            desiredCount=0,
            launchType="FARGATE",
            networkConfiguration=_network([subnet], [GHOST_GROUP]),
        )
    assert aws_error(err)[0] == "InvalidParameterException"
    assert GHOST_GROUP in aws_error(err)[1]
    assert ecs.list_services()["serviceArns"] == []

    # Known ids, and the default VPC's subnets, are fine.
    default_subnet = ec2.describe_subnets(Filters=[{"Name": "default-for-az", "Values": ["true"]}])[
        "Subnets"
    ][0]["SubnetId"]
    ecs.create_service(
        serviceName="web",
        taskDefinition=taskdef,
        desiredCount=0,
        launchType="FARGATE",
        networkConfiguration=_network([subnet, default_subnet], [group]),
    )
    with pytest.raises(ClientError) as err:
        ecs.update_service(service="web", networkConfiguration=_network([GHOST_SUBNET]))
    assert aws_error(err) == subnet_text
    kept = ecs.describe_services(services=["web"])["services"][0]["networkConfiguration"]
    assert kept["awsvpcConfiguration"]["subnets"] == [subnet, default_subnet]

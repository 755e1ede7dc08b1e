"""A running awsvpc task's ENI, as EC2 shows it: DescribeNetworkInterfaces names its
subnet, VPC, security group and private IP (the container's), and the subnet and group
cannot be deleted while the task runs; once it has stopped they can."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error

from .taskutil import SERVE, describe, register, wait_for

pytestmark = pytest.mark.usefixtures("docker_engine")


def test_task_eni_in_describe_network_interfaces_and_blocks_deletes(ecs, client):
    ecs.create_cluster(clusterName="default")
    ec2 = client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.60.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.60.1.0/24")["Subnet"]["SubnetId"]
    group = ec2.create_security_group(GroupName="task", Description="t", VpcId=vpc_id)["GroupId"]
    taskdef = register(ecs, "eni", [{"name": "app", "command": SERVE}])
    arn = ecs.run_task(
        taskDefinition=taskdef,
        launchType="FARGATE",
        networkConfiguration={
            "awsvpcConfiguration": {"subnets": [subnet], "securityGroups": [group]}
        },
    )["tasks"][0]["taskArn"]
    # A task given no group gets its VPC's default group, as on ECS.
    bare = ecs.run_task(
        taskDefinition=taskdef,
        launchType="FARGATE",
        networkConfiguration={"awsvpcConfiguration": {"subnets": [subnet]}},
    )["tasks"][0]["taskArn"]
    task = wait_for(ecs, arn, "RUNNING")
    details = {d["name"]: d["value"] for d in task["attachments"][0]["details"]}
    bare_eni = {
        d["name"]: d["value"] for d in wait_for(ecs, bare, "RUNNING")["attachments"][0]["details"]
    }
    default_group = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "group-name", "Values": ["default"]},
        ]
    )["SecurityGroups"][0]["GroupId"]
    shown = ec2.describe_network_interfaces(NetworkInterfaceIds=[bare_eni["networkInterfaceId"]])
    assert shown["NetworkInterfaces"][0]["Groups"] == [
        {"GroupId": default_group, "GroupName": "default"}
    ]
    ecs.stop_task(task=bare)
    wait_for(ecs, bare, "STOPPED")

    enis = ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet]}])[
        "NetworkInterfaces"
    ]
    assert len(enis) == 1
    eni = enis[0]
    assert eni["NetworkInterfaceId"] == details["networkInterfaceId"]
    assert eni["PrivateIpAddress"] == details["privateIPv4Address"]
    assert (eni["SubnetId"], eni["VpcId"], eni["Status"]) == (subnet, vpc_id, "in-use")
    assert eni["Groups"] == [{"GroupId": group, "GroupName": "task"}]
    assert eni["InterfaceType"] == "interface"
    assert eni["Description"].endswith(f":attachment/{task['attachments'][0]['id']}")
    by_id = ec2.describe_network_interfaces(NetworkInterfaceIds=[eni["NetworkInterfaceId"]])
    assert by_id["NetworkInterfaces"] == [eni]

    for call, kwargs in (
        (ec2.delete_subnet, {"SubnetId": subnet}),
        (ec2.delete_security_group, {"GroupId": group}),
    ):
        with pytest.raises(ClientError) as err:
            call(**kwargs)
        assert aws_error(err)[0] == "DependencyViolation"

    ecs.stop_task(task=arn)
    wait_for(ecs, arn, "STOPPED")
    assert describe(ecs, arn)["lastStatus"] == "STOPPED"
    assert (
        ec2.describe_network_interfaces(Filters=[{"Name": "subnet-id", "Values": [subnet]}])[
            "NetworkInterfaces"
        ]
        == []
    )
    ec2.delete_security_group(GroupId=group)
    ec2.delete_subnet(SubnetId=subnet)
    ec2.delete_vpc(VpcId=vpc_id)

"""Seed 002 (the Terraform book, chapter 9 with chapter 8's modules): the files in
examples/terraform/seed-002 apply against a real `ecsd serve`, two real containers of
the local ecsd-test/web image serve through the ALB, a re-plan shows no change, and
destroy leaves nothing (every describe call comes back empty; the default VPC stays).

Time is mostly the provider's own fixed waits, not ecsd: `aws_lb` 60 s (two waits with
a 30 s Delay before the first poll; ecsd is `active` at that poll), the tasks' 30 s stop
timeout (busybox httpd as PID 1 ignores SIGTERM, so ECS's SIGKILL comes after
stopTimeout, and the subnets and the group wait for their ENIs)."""

from __future__ import annotations

from typing import Any

from ecsd.lb.ports import bind_port_for

from .serving import get_when_served

REGION = "ap-northeast-1"


def test_seed_002_applies_serves_replans_and_destroys(
    terraform_example: Any, client: Any, docker_engine: None
) -> None:
    run = terraform_example("seed-002")
    run.init()
    run.apply()

    ecs, elbv2, ec2 = (client(s, REGION) for s in ("ecs", "elbv2", "ec2"))
    service = ecs.describe_services(cluster="example", services=["example"])["services"][0]
    assert service["platformVersion"] == "1.3.0"
    assert service["healthCheckGracePeriodSeconds"] == 60
    vpc = ec2.describe_vpcs(Filters=[{"Name": "cidr", "Values": ["10.0.0.0/16"]}])["Vpcs"][0]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])
    assert sorted(s["CidrBlock"] for s in subnets["Subnets"]) == [
        "10.0.1.0/24",
        "10.0.2.0/24",
        "10.0.65.0/24",
        "10.0.66.0/24",
    ]
    lb = elbv2.describe_load_balancers(Names=["example"])["LoadBalancers"][0]
    # The listener is on port 80: served there as root, else on 8080 (README).
    assert "hello from ecsd-test" in get_when_served(lb["DNSName"], bind_port_for(80))

    run.replan()
    run.destroy()

    assert ecs.list_clusters()["clusterArns"] == []
    assert ecs.list_task_definitions()["taskDefinitionArns"] == []
    assert elbv2.describe_load_balancers()["LoadBalancers"] == []
    assert elbv2.describe_target_groups()["TargetGroups"] == []
    assert [v["IsDefault"] for v in ec2.describe_vpcs()["Vpcs"]] == [True]
    assert (
        ec2.describe_nat_gateways(Filter=[{"Name": "state", "Values": ["pending", "available"]}])[
            "NatGateways"
        ]
        == []
    )
    assert ec2.describe_addresses()["Addresses"] == []
    groups = ec2.describe_security_groups()["SecurityGroups"]
    assert [g["GroupName"] for g in groups] == ["default"]

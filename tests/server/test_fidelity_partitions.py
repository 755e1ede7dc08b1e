"""ARNs carry the partition of the request's region (issue #12, item 6): `arn:aws-cn:` in
`cn-*` regions, `arn:aws-us-gov:` in `us-gov-*`, `arn:aws:` elsewhere — for every hosted
service, STS's caller identity included, through boto3 and the aws CLI."""

from __future__ import annotations

import pytest
from conftest import AwsCli, client_for

from ecsd.core import partitions

ACCOUNT = "000000000000"


@pytest.mark.parametrize(
    ("region", "partition"),
    [("cn-north-1", "aws-cn"), ("us-gov-west-1", "aws-us-gov"), ("eu-west-1", "aws")],
)
def test_every_service_answers_arns_of_its_regions_partition(no_engine, region, partition):
    no_engine.reset()
    prefix = f"arn:{partition}:"
    ecs = client_for(no_engine, "ecs", region)
    cluster = ecs.create_cluster(clusterName="p")["cluster"]["clusterArn"]
    assert cluster == f"{prefix}ecs:{region}:{ACCOUNT}:cluster/p"
    taskdef = ecs.register_task_definition(
        family="f", containerDefinitions=[{"name": "c", "image": "busybox", "memory": 64}]
    )["taskDefinition"]["taskDefinitionArn"]
    assert taskdef == f"{prefix}ecs:{region}:{ACCOUNT}:task-definition/f:1"
    # The ARN handed back works as an identifier again.
    assert ecs.describe_clusters(clusters=[cluster])["clusters"][0]["clusterName"] == "p"
    providers = ecs.describe_capacity_providers()["capacityProviders"]
    assert providers[0]["capacityProviderArn"].startswith(prefix)

    logs = client_for(no_engine, "logs", region)
    logs.create_log_group(logGroupName="/p")
    group = logs.describe_log_groups(logGroupNamePrefix="/p")["logGroups"][0]
    assert group["arn"] == f"{prefix}logs:{region}:{ACCOUNT}:log-group:/p:*"

    ssm = client_for(no_engine, "ssm", region)
    ssm.put_parameter(Name="/p/x", Value="v", Type="String")
    assert ssm.get_parameter(Name="/p/x")["Parameter"]["ARN"] == (
        f"{prefix}ssm:{region}:{ACCOUNT}:parameter/p/x"
    )

    sm = client_for(no_engine, "secretsmanager", region)
    secret = sm.create_secret(Name="p", SecretString="s")["ARN"]
    assert secret.startswith(f"{prefix}secretsmanager:{region}:{ACCOUNT}:secret:p-")
    assert sm.get_secret_value(SecretId=secret)["SecretString"] == "s"

    sts = client_for(no_engine, "sts", region)
    assert sts.get_caller_identity()["Arn"] == f"{prefix}iam::{ACCOUNT}:root"


def test_the_cli_in_a_china_region(no_engine):
    no_engine.reset()
    cli = AwsCli(no_engine)
    out = cli.json("ecs", "create-cluster", "--cluster-name", "cn", "--region", "cn-northwest-1")
    assert out["cluster"]["clusterArn"] == f"arn:aws-cn:ecs:cn-northwest-1:{ACCOUNT}:cluster/cn"
    who = cli.json("sts", "get-caller-identity", "--region", "us-gov-east-1")
    assert who["Arn"] == f"arn:aws-us-gov:iam::{ACCOUNT}:root"


def test_partition_of_a_region():
    assert partitions.partition("cn-north-1") == "aws-cn"
    assert partitions.partition("us-gov-west-1") == "aws-us-gov"
    assert partitions.partition("us-isob-east-1") == "aws-iso-b"
    assert partitions.partition("us-iso-east-1") == "aws-iso"
    assert partitions.partition("us-east-1") == "aws"
    assert partitions.partition("local") == "aws"

"""Clusters through boto3 and the aws CLI against a real `ecsd serve`."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

ACCOUNT = "000000000000"


def test_create_without_name_makes_default(ecs):
    cluster = ecs.create_cluster()["cluster"]
    assert cluster["clusterName"] == "default"
    assert cluster["clusterArn"] == f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/default"
    assert cluster["status"] == "ACTIVE"
    assert cluster["settings"] == [{"name": "containerInsights", "value": "disabled"}]


def test_describe_reports_missing_in_failures(ecs):
    ecs.create_cluster(clusterName="a")
    out = ecs.describe_clusters(clusters=["a", "nope"])
    assert [c["clusterName"] for c in out["clusters"]] == ["a"]
    assert out["failures"] == [
        {"arn": f"arn:aws:ecs:us-east-1:{ACCOUNT}:cluster/nope", "reason": "MISSING"}
    ]


def test_describe_includes(ecs):
    arn = ecs.create_cluster(
        clusterName="c",
        tags=[{"key": "team", "value": "web"}],
        settings=[{"name": "containerInsights", "value": "enabled"}],
    )["cluster"]["clusterArn"]
    plain = ecs.describe_clusters(clusters=[arn])["clusters"][0]
    assert "tags" not in plain and "settings" not in plain and "statistics" not in plain
    full = ecs.describe_clusters(clusters=["c"], include=["TAGS", "SETTINGS", "STATISTICS"])[
        "clusters"
    ][0]
    assert full["tags"] == [{"key": "team", "value": "web"}]
    assert full["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    stats = {s["name"]: s["value"] for s in full["statistics"]}
    assert stats["runningFargateTasksCount"] == "0"


def test_create_is_idempotent_and_list_paginates(ecs):
    for i in range(7):
        ecs.create_cluster(clusterName=f"c{i}")
    ecs.create_cluster(clusterName="c0")
    pages = list(ecs.get_paginator("list_clusters").paginate(PaginationConfig={"PageSize": 3}))
    assert [len(p["clusterArns"]) for p in pages] == [3, 3, 1]
    names = [a.rsplit("/", 1)[1] for p in pages for a in p["clusterArns"]]
    assert sorted(names) == [f"c{i}" for i in range(7)]


def test_delete_makes_inactive_and_hides_from_list(ecs):
    ecs.create_cluster(clusterName="gone")
    assert ecs.delete_cluster(cluster="gone")["cluster"]["status"] == "INACTIVE"
    assert ecs.list_clusters()["clusterArns"] == []
    assert ecs.describe_clusters(clusters=["gone"])["clusters"][0]["status"] == "INACTIVE"
    with pytest.raises(ClientError) as err:
        ecs.delete_cluster(cluster="gone")
    assert err.value.response["Error"]["Code"] == "ClusterNotFoundException"
    assert err.value.response["Error"]["Message"] == "Cluster not found."
    # Creating it again brings it back.
    assert ecs.create_cluster(clusterName="gone")["cluster"]["status"] == "ACTIVE"


def test_update_cluster_settings(ecs):
    ecs.create_cluster(clusterName="u")
    out = ecs.update_cluster_settings(
        cluster="u", settings=[{"name": "containerInsights", "value": "enhanced"}]
    )
    assert out["cluster"]["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    with pytest.raises(ClientError) as err:
        ecs.update_cluster(
            cluster="u", settings=[{"name": "containerInsights", "value": "sometimes"}]
        )
    assert err.value.response["Error"]["Code"] == "InvalidParameterException"
    settings = ecs.describe_clusters(clusters=["u"], include=["SETTINGS"])["clusters"][0]
    assert settings["settings"] == [{"name": "containerInsights", "value": "enhanced"}]


def test_capacity_providers(ecs):
    ecs.create_cluster(clusterName="cp")
    out = ecs.put_cluster_capacity_providers(
        cluster="cp",
        capacityProviders=["FARGATE", "FARGATE_SPOT"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1, "base": 1}],
    )["cluster"]
    assert out["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]
    for bad in (["EC2_NOPE"], ["FARGATE_SPOT"]):
        with pytest.raises(ClientError) as err:
            ecs.put_cluster_capacity_providers(
                cluster="cp",
                capacityProviders=bad,
                defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
            )
        assert err.value.response["Error"]["Code"] == "InvalidParameterException"
    # A rejected change left the cluster as it was.
    again = ecs.describe_clusters(clusters=["cp"])["clusters"][0]
    assert again["capacityProviders"] == ["FARGATE", "FARGATE_SPOT"]


def test_cluster_through_the_cli(aws):
    made = aws.json("ecs", "create-cluster", "--cluster-name", "cli")
    assert made["cluster"]["clusterName"] == "cli"
    listed = aws.json("ecs", "list-clusters")
    assert listed["clusterArns"] == [made["cluster"]["clusterArn"]]
    missing = aws.run("ecs", "delete-cluster", "--cluster", "nope", check=False)
    assert missing.returncode != 0
    assert "ClusterNotFoundException" in missing.stderr and "Cluster not found." in missing.stderr

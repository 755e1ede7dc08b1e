"""aws_ecs_cluster and aws_ecs_cluster_capacity_providers round trip through Terraform."""

from __future__ import annotations

from typing import Any

CLUSTER = """
resource "aws_ecs_cluster" "this" {
  name = "tf-cluster"

  setting {
    name  = "containerInsights"
    value = "enabled"
  }

  tags = { team = "ecsd" }
}

resource "aws_ecs_cluster_capacity_providers" "this" {
  cluster_name       = aws_ecs_cluster.this.name
  capacity_providers = ["FARGATE", "FARGATE_SPOT"]

  default_capacity_provider_strategy {
    capacity_provider = "FARGATE"
    weight            = 1
    base              = 1
  }
}
"""


def test_cluster_round_trip(terraform: Any, client: Any) -> None:
    run = terraform(CLUSTER)
    run.init()
    run.apply()
    ecs = client("ecs")
    cluster = ecs.describe_clusters(clusters=["tf-cluster"], include=["SETTINGS"])["clusters"][0]
    assert cluster["status"] == "ACTIVE"
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert sorted(cluster["capacityProviders"]) == ["FARGATE", "FARGATE_SPOT"]
    run.replan()
    run.destroy()
    left = ecs.describe_clusters(clusters=["tf-cluster"])["clusters"]
    assert all(c["status"] == "INACTIVE" for c in left)

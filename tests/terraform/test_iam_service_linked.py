"""aws_iam_service_linked_role, and tags on aws_iam_policy and aws_iam_instance_profile,
round trip through Terraform (apply, a clean re-plan, destroy)."""

from __future__ import annotations

from typing import Any

CONFIG = """
resource "aws_iam_service_linked_role" "ecs" {
  aws_service_name = "ecs.amazonaws.com"
  description      = "ECS"
  tags             = { team = "ecsd" }
}

resource "aws_iam_service_linked_role" "scaling" {
  aws_service_name = "ecs.application-autoscaling.amazonaws.com"
}

resource "aws_iam_policy" "read" {
  name   = "tf-read"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = ["s3:GetObject"], Resource = "*" }]
  })
  tags = { team = "ecsd", env = "dev" }
}

resource "aws_iam_instance_profile" "web" {
  name = "tf-web"
  tags = { team = "ecsd" }
}
"""


def test_service_linked_role_and_tags_round_trip(terraform: Any, client: Any) -> None:
    run = terraform(CONFIG)
    run.init()
    run.apply()
    iam = client("iam")
    role = iam.get_role(RoleName="AWSServiceRoleForECS")["Role"]
    assert role["Description"] == "ECS" and role["Tags"] == [{"Key": "team", "Value": "ecsd"}]
    iam.get_role(RoleName="AWSServiceRoleForApplicationAutoScaling_ECSService")
    [policy] = iam.list_policies(Scope="Local")["Policies"]
    assert {t["Key"] for t in iam.list_policy_tags(PolicyArn=policy["Arn"])["Tags"]} == {
        "team",
        "env",
    }
    tags = iam.list_instance_profile_tags(InstanceProfileName="tf-web")["Tags"]
    assert tags == [{"Key": "team", "Value": "ecsd"}]
    run.replan()
    run.destroy()
    assert iam.list_roles()["Roles"] == []
    assert iam.list_policies(Scope="Local")["Policies"] == []
    assert iam.list_instance_profiles()["InstanceProfiles"] == []

"""Logs, SSM, Secrets Manager and ECR resources round trip through Terraform: apply, a
re-plan with no change, destroy, and nothing left (checked through boto3)."""

from __future__ import annotations

from typing import Any

CONFIG = """
resource "aws_cloudwatch_log_group" "app" {
  name              = "/ecs/tf-app"
  retention_in_days = 7
  tags              = { app = "tf" }
}

resource "aws_ssm_parameter" "plain" {
  name  = "/tf/plain"
  type  = "String"
  value = "hello"
}

resource "aws_ssm_parameter" "secret" {
  name  = "/tf/secret"
  type  = "SecureString"
  value = "s3cr3t"
}

resource "aws_secretsmanager_secret" "db" {
  name                    = "tf/db"
  recovery_window_in_days = 0
}

resource "aws_secretsmanager_secret_version" "db" {
  secret_id     = aws_secretsmanager_secret.db.id
  secret_string = jsonencode({ password = "pw" })
}

resource "aws_ecr_repository" "app" {
  name                 = "tf-app"
  image_tag_mutability = "MUTABLE"
  force_delete         = true

  image_scanning_configuration {
    scan_on_push = true
  }
}

resource "aws_ecr_lifecycle_policy" "app" {
  repository = aws_ecr_repository.app.name
  policy = jsonencode({
    rules = [{
      rulePriority = 1
      description  = "keep ten"
      selection    = { tagStatus = "any", countType = "imageCountMoreThan", countNumber = 10 }
      action       = { type = "expire" }
    }]
  })
}
"""


def test_data_resources_round_trip(terraform: Any, client: Any) -> None:
    run = terraform(CONFIG)
    run.init()
    run.apply()
    ssm = client("ssm")
    got = ssm.get_parameter(Name="/tf/secret", WithDecryption=True)["Parameter"]
    assert (got["Type"], got["Value"]) == ("SecureString", "s3cr3t")
    run.replan()
    run.destroy()
    assert client("logs").describe_log_groups(logGroupNamePrefix="/ecs/tf-app")["logGroups"] == []
    assert ssm.describe_parameters()["Parameters"] == []
    assert client("secretsmanager").list_secrets()["SecretList"] == []
    assert client("ecr").describe_repositories()["repositories"] == []

"""aws_ecs_task_definition, aws_ecs_service (FARGATE, network_configuration, load_balancer,
deployment settings, wait_for_steady_state), aws_lb, aws_lb_target_group, aws_lb_listener
and aws_lb_listener_rule round trip through Terraform, with a real container (the local
ecsd-test/web image) serving through the listener before destroy.

WORK IN PROGRESS, deliberately not collected (not named test_*.py): on 2026-11-28 the
apply of this configuration did not finish within pytest's 300 s timeout — aws_lb
creation alone took 60 s (the provider's wait), and `wait_for_steady_state` had not been
reached (an earlier run without the log group failed its tasks as AWS does:
"The specified log group does not exist"; this version creates it). Next: run it by
hand (TF_LOG=DEBUG) and see which of runningCount / target health / deployment rollout
ECS answers keep the provider waiting, then rename to test_*.py."""

from __future__ import annotations

import urllib.request
from typing import Any

CONFIG = """
resource "aws_ecs_cluster" "this" {
  name = "tf-svc"
}

resource "aws_cloudwatch_log_group" "web" {
  name = "/ecs/tf-web"
}

resource "aws_ecs_task_definition" "web" {
  family                   = "tf-web"
  execution_role_arn       = "arn:aws:iam::000000000000:role/ecsTaskExecutionRole"
  cpu                      = "256"
  memory                   = "512"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  container_definitions = jsonencode([{
    name         = "web"
    image        = "ecsd-test/web:latest"
    essential    = true
    portMappings = [{ containerPort = 80, protocol = "tcp" }]
    environment  = [{ name = "B", value = "2" }, { name = "A", value = "1" }]
    logConfiguration = {
      logDriver = "awslogs"
      options = {
        awslogs-group         = "/ecs/tf-web"
        awslogs-region        = "us-east-1"
        awslogs-stream-prefix = "web"
      }
    }
  }])
}

resource "aws_lb" "web" {
  name               = "tf-web"
  load_balancer_type = "application"
  internal           = false
  subnets            = ["subnet-aaaa1111", "subnet-bbbb2222"]
}

resource "aws_lb_target_group" "web" {
  name        = "tf-web"
  port        = 80
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = "vpc-12345678"

  deregistration_delay = 5

  health_check {
    path     = "/"
    interval = 10
    timeout  = 5
    matcher  = "200"
  }
}

resource "aws_lb_listener" "web" {
  load_balancer_arn = aws_lb.web.arn
  port              = 18461
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.web.arn
  }
}

resource "aws_lb_listener_rule" "health" {
  listener_arn = aws_lb_listener.web.arn
  priority     = 10

  action {
    type = "fixed-response"
    fixed_response {
      content_type = "text/plain"
      message_body = "ok"
      status_code  = "200"
    }
  }

  condition {
    path_pattern {
      values = ["/healthz"]
    }
  }
}

resource "aws_ecs_service" "web" {
  name                               = "tf-web"
  cluster                            = aws_ecs_cluster.this.arn
  task_definition                    = aws_ecs_task_definition.web.arn
  desired_count                      = 1
  launch_type                        = "FARGATE"
  deployment_minimum_healthy_percent = 100
  deployment_maximum_percent         = 200
  health_check_grace_period_seconds  = 10
  wait_for_steady_state              = true

  network_configuration {
    subnets          = ["subnet-aaaa1111"]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.web.arn
    container_name   = "web"
    container_port   = 80
  }

  depends_on = [aws_lb_listener.web, aws_cloudwatch_log_group.web]
}

output "url" {
  value = "http://127.0.0.1:${aws_lb_listener.web.port}/"
}
"""


def test_service_behind_load_balancer_round_trip(
    terraform: Any, client: Any, docker_engine: None
) -> None:
    run = terraform(CONFIG)
    run.init()
    run.apply()
    with urllib.request.urlopen(run.output("url"), timeout=10) as resp:
        assert resp.status == 200
    run.replan()
    run.destroy()
    ecs = client("ecs")
    left = ecs.describe_clusters(clusters=["tf-svc"])["clusters"]
    assert all(c["status"] == "INACTIVE" for c in left)
    assert client("elbv2").describe_load_balancers()["LoadBalancers"] == []

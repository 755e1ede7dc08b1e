"""aws_ecs_task_definition, aws_ecs_service (FARGATE, platform 1.3.0, network_configuration,
load_balancer, a health-check grace period, `ignore_changes = [task_definition]`), aws_lb,
aws_lb_target_group (type ip), aws_lb_listener (HTTP forward) and aws_lb_listener_rule
round trip through Terraform: apply, a re-plan with no change, a real container of the
local ecsd-test/web image serving through the listener, destroy with nothing left.

Time: `aws_lb` alone takes 60 s in the provider whatever ecsd answers. Its create waits
twice (after CreateLoadBalancer and after ModifyLoadBalancerAttributes) with a fixed
30 s `Delay` before the first DescribeLoadBalancers; ecsd answers `active` at that first
poll, so neither wait polls again. `aws_ecs_cluster` likewise has a fixed 10 s Delay."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from typing import Any

CONFIG = """
resource "aws_ecs_cluster" "this" {
  name = "tf-svc"
}

resource "aws_ecs_task_definition" "web" {
  family                   = "tf-web"
  cpu                      = "256"
  memory                   = "512"
  network_mode             = "awsvpc"
  requires_compatibilities = ["FARGATE"]
  container_definitions    = file("./container_definitions.json")
}

resource "aws_lb" "web" {
  name               = "tf-web"
  load_balancer_type = "application"
  internal           = false
  subnets            = ["subnet-aaaa1111", "subnet-bbbb2222"]
}

resource "aws_lb_target_group" "web" {
  name                 = "tf-web"
  port                 = 80
  protocol             = "HTTP"
  target_type          = "ip"
  vpc_id               = aws_lb.web.vpc_id
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
  name                              = "tf-web"
  cluster                           = aws_ecs_cluster.this.arn
  task_definition                   = aws_ecs_task_definition.web.arn
  desired_count                     = 1
  launch_type                       = "FARGATE"
  platform_version                  = "1.3.0"
  health_check_grace_period_seconds = 60

  network_configuration {
    subnets          = ["subnet-aaaa1111"]
    assign_public_ip = false
  }

  load_balancer {
    target_group_arn = aws_lb_target_group.web.arn
    container_name   = "web"
    container_port   = 80
  }

  lifecycle {
    ignore_changes = [task_definition]
  }

  depends_on = [aws_lb_listener.web]
}

output "dns_name" {
  value = aws_lb.web.dns_name
}
"""

# Written as people write it by hand: keys in their own order, an environment list out
# of order, 4-space indents; ECS answers it normalised and the re-plan must not differ.
CONTAINER_DEFINITIONS = """[
    {
        "name": "web",
        "image": "ecsd-test/web:latest",
        "essential": true,
        "environment": [
            {"name": "B", "value": "2"},
            {"name": "A", "value": "1"}
        ],
        "portMappings": [
            {
                "protocol": "tcp",
                "containerPort": 80
            }
        ]
    }
]
"""


def get_when_served(dns_name: str, port: int, path: str = "/", timeout: float = 60.0) -> str:
    """The body of `path` once the load balancer forwards it to a healthy target (503
    until the task is registered and passes its first health check). The listener
    listens on loopback; urllib does not resolve `.localhost` names as curl does, so the
    load balancer's DNS name goes in the Host header (README: where listeners bind)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": dns_name})
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=5) as resp:
                return str(resp.read().decode())
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        time.sleep(1)
    raise AssertionError(f"{dns_name}:{port}{path} not served within {timeout:g} s: {last}")


def test_service_behind_load_balancer_round_trip(
    terraform: Any, client: Any, docker_engine: None
) -> None:
    run = terraform(CONFIG, **{"container_definitions.json": CONTAINER_DEFINITIONS})
    run.init()
    run.apply()
    dns_name = run.output("dns_name")
    assert "ecsd-test" in get_when_served(dns_name, 18461)
    assert get_when_served(dns_name, 18461, "/healthz") == "ok"
    run.replan()
    run.destroy()
    ecs, elbv2 = client("ecs"), client("elbv2")
    assert ecs.list_clusters()["clusterArns"] == []
    assert ecs.list_task_definitions()["taskDefinitionArns"] == []
    assert elbv2.describe_load_balancers()["LoadBalancers"] == []
    assert elbv2.describe_target_groups()["TargetGroups"] == []

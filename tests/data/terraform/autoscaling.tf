terraform {
  required_providers {
    aws = { source = "hashicorp/aws", version = "5.100.0" }
  }
}
variable "endpoint" { type = string }

provider "aws" {
  region                      = "us-east-1"
  access_key                  = "test"
  secret_key                  = "test"
  skip_credentials_validation = true
  skip_requesting_account_id  = true
  skip_metadata_api_check     = true
  endpoints {
    ecs                    = var.endpoint
    applicationautoscaling = var.endpoint
    sts                    = var.endpoint
  }
}
resource "aws_ecs_cluster" "c" { name = "tf" }
resource "aws_ecs_task_definition" "t" {
  family                   = "tf"
  requires_compatibilities = ["FARGATE"]
  network_mode             = "awsvpc"
  cpu                      = "256"
  memory                   = "512"
  container_definitions    = jsonencode([{ name = "app", image = "busybox", essential = true }])
}
resource "aws_ecs_service" "s" {
  name            = "web"
  cluster         = aws_ecs_cluster.c.id
  task_definition = aws_ecs_task_definition.t.arn
  desired_count   = 0
  launch_type     = "FARGATE"
  network_configuration { subnets = ["subnet-1"] }
  lifecycle { ignore_changes = [desired_count] }
}
resource "aws_appautoscaling_target" "t" {
  service_namespace  = "ecs"
  resource_id        = "service/${aws_ecs_cluster.c.name}/${aws_ecs_service.s.name}"
  scalable_dimension = "ecs:service:DesiredCount"
  min_capacity       = 0
  max_capacity       = 3
  tags               = { team = "a" }
}
resource "aws_appautoscaling_policy" "cpu" {
  name               = "cpu50"
  policy_type        = "TargetTrackingScaling"
  service_namespace  = aws_appautoscaling_target.t.service_namespace
  resource_id        = aws_appautoscaling_target.t.resource_id
  scalable_dimension = aws_appautoscaling_target.t.scalable_dimension
  target_tracking_scaling_policy_configuration {
    target_value       = 50
    scale_in_cooldown  = 120
    scale_out_cooldown = 60
    predefined_metric_specification {
      predefined_metric_type = "ECSServiceAverageCPUUtilization"
    }
  }
}
resource "aws_appautoscaling_scheduled_action" "night" {
  name               = "night"
  service_namespace  = aws_appautoscaling_target.t.service_namespace
  resource_id        = aws_appautoscaling_target.t.resource_id
  scalable_dimension = aws_appautoscaling_target.t.scalable_dimension
  schedule           = "cron(0 22 * * ? *)"
  timezone           = "Asia/Tokyo"
  scalable_target_action {
    min_capacity = 0
    max_capacity = 1
  }
}

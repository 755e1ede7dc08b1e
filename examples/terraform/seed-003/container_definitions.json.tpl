[
  {
    "name": "web",
    "image": "${image}",
    "essential": true,
    "portMappings": [
      { "containerPort": 80, "protocol": "tcp" }
    ],
    "environment": [
      { "name": "TZ", "value": "Asia/Tokyo" },
      { "name": "APP_ENV", "value": "${app_env}" }
    ],
    "secrets": [
      { "name": "DB_PASSWORD", "valueFrom": "${db_password}" }
    ],
    "logConfiguration": {
      "logDriver": "awslogs",
      "options": {
        "awslogs-group": "${log_group}",
        "awslogs-region": "${log_region}",
        "awslogs-stream-prefix": "web"
      }
    }
  }
]

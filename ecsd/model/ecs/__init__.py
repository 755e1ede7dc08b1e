"""Amazon ECS's domain: clusters, task definitions, tasks, services and their tags."""

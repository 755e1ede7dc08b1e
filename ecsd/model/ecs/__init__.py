"""ECS domain rules."""

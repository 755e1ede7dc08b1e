"""The domain model: what ECS objects are and how they may change, without I/O."""

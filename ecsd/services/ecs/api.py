"""The ECS provider object every ECS resource module registers its operations on."""

from __future__ import annotations

from ...aws.provider import Provider

# Input that breaks the model's own rules gets the same code ECS uses for bad parameters.
ecs = Provider(
    "ecs", validation_error="InvalidParameterException", internal_error="ServerException"
)

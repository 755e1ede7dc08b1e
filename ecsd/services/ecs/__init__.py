"""Amazon ECS: the control-plane API. One module per resource family."""

# Importing each resource family's module registers its operations.
from . import (  # noqa: F401
    account_settings,
    capacity_providers,
    clusters,
    service_deployments,
    services,
    tags,
    task_definitions,
    task_protection,
    task_sets,
    tasks,
)
from .api import ecs

__all__ = ["ecs"]

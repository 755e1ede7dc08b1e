"""Amazon ECS: the control-plane API. One module per resource family."""

from . import account_settings, clusters, tags, task_definitions, tasks  # noqa: F401  (registration)
from .api import ecs

__all__ = ["ecs"]

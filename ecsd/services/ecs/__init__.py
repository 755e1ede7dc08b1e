"""Amazon ECS: the control-plane API. One module per resource family."""

from . import (account_settings, clusters, services, tags, task_definitions,  # noqa: F401
               tasks)  # (registration)
from .api import ecs

__all__ = ["ecs"]

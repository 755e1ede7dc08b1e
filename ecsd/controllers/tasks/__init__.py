"""The task controller (see `supervisor`): one worker per unfinished task walks it through
ECS's lifecycle (`steps`), with the awslogs driver (`awslogs`), the task's network view
(`network`), the container labels (`labels`) and every call into the rest of ecsd's
model (`store_access`) each in a module of its own."""

from .labels import LABEL_CONTAINER, LABEL_INSTANCE, LABEL_TASK, SANDBOX
from .steps import Drain, OnStatus, no_status_hook, nothing_to_drain
from .store_access import TaskGone
from .supervisor import TaskController

__all__ = [
    "LABEL_CONTAINER",
    "LABEL_INSTANCE",
    "LABEL_TASK",
    "SANDBOX",
    "Drain",
    "OnStatus",
    "TaskController",
    "TaskGone",
    "no_status_hook",
    "nothing_to_drain",
]

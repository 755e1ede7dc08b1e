"""The labels that mark ecsd's containers: which daemon instance, task and container each
belongs to. They are how a restarted controller finds (adopts) what it made before, so
their keys and values must never change between versions."""

from __future__ import annotations

from typing import Any

LABEL_TASK = "com.amazonaws.ecs.task-arn"
LABEL_CONTAINER = "com.amazonaws.ecs.container-name"
LABEL_INSTANCE = "ecsd.instance"
SANDBOX = "~internal~ecs~pause"  # the container name of a task's network holder


def labels(
    instance_id: str, doc: dict[str, Any], rt: dict[str, Any], container: str
) -> dict[str, str]:
    return {
        LABEL_INSTANCE: instance_id,
        LABEL_TASK: doc["taskArn"],
        LABEL_CONTAINER: container,
        "com.amazonaws.ecs.cluster": doc["clusterArn"].rsplit("/", 1)[1],
        "com.amazonaws.ecs.task-definition-family": rt["family"],
        "com.amazonaws.ecs.task-definition-version": str(rt["revision"]),
    }

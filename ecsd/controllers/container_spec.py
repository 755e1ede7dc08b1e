"""What an ECS container definition means for the container runtime.

Pure functions, no I/O: the task's container definitions (overrides applied) plus what
the task resolved (secrets, sandbox) become `ContainerSpec`s. Kept apart from the
controller so each ECS field's meaning is in one place and unit-testable.
"""

from __future__ import annotations

import re
from typing import Any

from ..runtime.base import ContainerSpec

NS = 1_000_000_000
MIB = 1024 * 1024
FARGATE_STOP_TIMEOUT = 30  # seconds, ECS's default on Fargate


def docker_name(family: str, revision: int, container: str, task_id: str) -> str:
    """ecs-<family>-<rev>-<container>-<task id>, the way the ECS agent names containers;
    deterministic, so a container can never be created twice for one task."""
    raw = f"ecs-{family}-{revision}-{container}-{task_id}"
    return re.sub(r"[^a-zA-Z0-9_.-]", "-", raw)


def start_order(definitions: list[dict[str, Any]]) -> list[list[str]]:
    """Containers in levels: each level depends only on earlier ones. Shutdown walks the
    levels backwards (ECS stops dependents before what they depend on)."""
    deps = {d["name"]: {x["containerName"] for x in d.get("dependsOn") or []} for d in definitions}
    levels: list[list[str]] = []
    placed: set[str] = set()
    while len(placed) < len(deps):
        level = [n for n, ds in deps.items() if n not in placed and ds <= placed]
        if not level:  # a cycle: registration rejects these, but never loop forever
            level = [n for n in deps if n not in placed]
        levels.append(level)
        placed.update(level)
    return levels


def healthcheck(definition: dict[str, Any]) -> dict[str, Any]:
    """Docker's healthcheck for an ECS one. Without one, the image's own HEALTHCHECK is
    switched off: on ECS only checks in the container definition count."""
    check = definition.get("healthCheck")
    if not check:
        return {"test": ["NONE"]}
    return {
        "test": list(check["command"]),
        "interval": int(check.get("interval", 30)) * NS,
        "timeout": int(check.get("timeout", 5)) * NS,
        "retries": int(check.get("retries", 3)),
        "start_period": int(check.get("startPeriod", 0)) * NS,
    }


def environment(
    definition: dict[str, Any],
    *,
    region: str,
    secrets: dict[str, str],
    inside: dict[str, str] | None = None,
) -> dict[str, str]:
    """ECS's variables, then what the task reaches from inside (metadata, credentials,
    endpoint), then the definition's own (so a task can point AWS_ENDPOINT_URL
    elsewhere), then its secrets."""
    env = {
        "AWS_EXECUTION_ENV": "AWS_ECS_FARGATE",
        "AWS_REGION": region,
        "AWS_DEFAULT_REGION": region,
        **(inside or {}),
    }
    env.update({e["name"]: e.get("value", "") for e in definition.get("environment") or []})
    env.update(secrets)
    return env


def container_spec(
    definition: dict[str, Any],
    *,
    task: dict[str, Any],
    runtime: dict[str, Any],
    task_id: str,
    labels: dict[str, str],
    sandbox_id: str | None,
    secrets: dict[str, str],
    region: str,
    volume_names: dict[str, str],
    container_ids: dict[str, str],
    inside: dict[str, str] | None = None,
) -> ContainerSpec:
    linux = definition.get("linuxParameters") or {}
    task_cpu = int(task.get("cpu") or 0)
    task_memory = int(task.get("memory") or 0)
    # Fargate limits the whole task; Docker limits containers. Each container gets its own
    # hard limit if it has one, else the task's: no container can exceed the task.
    memory = definition.get("memory") or task_memory or None
    binds, volumes_from = [], []
    for mount in definition.get("mountPoints") or []:
        source = volume_names.get(mount.get("sourceVolume", ""))
        if source:
            mode = "ro" if mount.get("readOnly") else "rw"
            binds.append(f"{source}:{mount['containerPath']}:{mode}")
    for vf in definition.get("volumesFrom") or []:
        cid = container_ids.get(vf["sourceContainer"])
        if cid:
            volumes_from.append(f"{cid}:{'ro' if vf.get('readOnly') else 'rw'}")
    return ContainerSpec(
        name=docker_name(runtime["family"], runtime["revision"], definition["name"], task_id),
        image=definition["image"],
        labels={**labels, **(definition.get("dockerLabels") or {})},
        command=definition.get("command") or None,
        entrypoint=definition.get("entryPoint") or None,
        env=environment(definition, region=region, secrets=secrets, inside=inside),
        working_dir=definition.get("workingDirectory") or None,
        user=definition.get("user") or None,
        ulimits=[
            {"name": u["name"], "soft": u["softLimit"], "hard": u["hardLimit"]}
            for u in definition.get("ulimits") or []
        ],
        readonly_rootfs=bool(definition.get("readonlyRootFilesystem")),
        init=bool(linux.get("initProcessEnabled")),
        memory_bytes=int(memory) * MIB if memory else None,
        memory_reservation_bytes=(
            int(definition["memoryReservation"]) * MIB
            if definition.get("memoryReservation")
            else None
        ),
        cpu_shares=max(2, int(definition.get("cpu") or 0)) if definition.get("cpu") else None,
        nano_cpus=task_cpu * NS // 1024 if task_cpu else None,
        binds=binds,
        volumes_from=volumes_from,
        healthcheck=healthcheck(definition),
        stop_timeout=int(definition.get("stopTimeout") or FARGATE_STOP_TIMEOUT),
        sandbox_id=sandbox_id,
    )

"""RegisterTaskDefinition's task-level rules: what ECS refuses, and the definition as ECS
stores and returns it.

`normalise(params)` returns the task definition with ECS's defaults filled in and the
sizes spelt as ECS spells them, or raises ClientException with ECS's words. Pure: no
store, so a refusal costs nothing and every rule is cheap to test. Container-level rules
live in task_definition_containers, Fargate sizes in fargate.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from . import fargate
from .task_definition_containers import (
    Scope,
    check_dependencies,
    check_names,
    check_port_names,
    client_error,
)
from .task_definition_containers import normalise as normalise_container

_FAMILY = re.compile(r"^[A-Za-z0-9_-]+$")
MAX_FAMILY = 255
MAX_CONTAINERS = 10
# Task-level cpu ECS takes at all (0.125 to 192 vCPU); Fargate narrows it to its sizes.
TASK_CPU = range(128, 196608 + 1)


def normalise(p: dict[str, Any]) -> dict[str, Any]:
    td = copy.deepcopy(p)
    td.pop("tags", None)
    _family(td["family"])
    containers = td["containerDefinitions"]
    if not containers:
        raise client_error("Container list cannot be empty.")
    if len(containers) > MAX_CONTAINERS:
        raise client_error("Too many containers.")
    on_fargate = "FARGATE" in (td.get("requiresCompatibilities") or [])
    _task_size(td, on_fargate)
    if on_fargate:
        _fargate_task(td)
    volumes = _volumes(td)
    scope = Scope(
        network_mode=td.get("networkMode"),
        on_fargate=on_fargate,
        execution_role=bool(td.get("executionRoleArn")),
        volumes=volumes,
        containers=frozenset(check_names(containers)),
    )
    for c in containers:
        normalise_container(c, scope)
    if not any(c["essential"] for c in containers):
        raise client_error("Task definition doesn't have any essential container.")
    check_port_names(containers)
    check_dependencies(containers)
    _totals(td, containers, on_fargate)
    td.setdefault("volumes", [])
    td.setdefault("placementConstraints", [])
    return td


def _family(family: str) -> None:
    if not family:
        raise client_error("Family can not be blank.")
    if not _FAMILY.match(family):
        raise client_error("Family contains invalid characters.")
    if len(family) > MAX_FAMILY:
        raise client_error(f"Family name can not be longer than {MAX_FAMILY} characters.")


def _task_size(td: dict[str, Any], on_fargate: bool) -> None:
    """Spell cpu/memory as integers ("1 vCPU" → "1024", "2 GB" → "2048") and, for
    Fargate, require a size Fargate has."""
    if td.get("cpu") is not None:
        units = fargate.cpu_units(td["cpu"])
        if units is None or units not in TASK_CPU:
            raise client_error("Invalid 'cpu' setting for task.")
        td["cpu"] = str(units)
    if td.get("memory") is not None:
        mib = fargate.memory_mib(td["memory"])
        if not mib:
            raise client_error("Invalid 'memory' setting for task.")
        td["memory"] = str(mib)
    if not on_fargate:
        return
    if td.get("cpu") is None:
        raise client_error("Fargate requires that 'cpu' be defined at the task level.")
    if td.get("memory") is None:
        raise client_error("Fargate requires that 'memory' be defined at the task level.")
    cpu, memory = int(td["cpu"]), int(td["memory"])
    # A cpu Fargate has no size for at all is a bad cpu; a known cpu with a memory it does
    # not offer gets the "no configuration" answer real ECS gives for such pairs.
    if cpu not in fargate.SIZES:
        raise client_error("Invalid 'cpu' setting for task.")
    if not fargate.fits(cpu, memory):
        raise client_error(fargate.no_configuration(cpu, memory))


def _fargate_task(td: dict[str, Any]) -> None:
    why = fargate.unsupported(td)
    if why:
        raise client_error(why)


def _volumes(td: dict[str, Any]) -> frozenset[str]:
    names = []
    for v in td.get("volumes") or []:
        if not v.get("name"):
            raise client_error("Volume.name should not be null or empty.")
        names.append(v["name"])
    if len(set(names)) != len(names):
        raise client_error("Volume names must be unique within a Task Definition.")
    return frozenset(names)


def _totals(td: dict[str, Any], containers: list[dict[str, Any]], on_fargate: bool) -> None:
    """What the containers ask for against the task size (or, without one, on EC2, that
    each container says how much memory it needs)."""
    task_memory = int(td["memory"]) if td.get("memory") else None
    if task_memory is None and not on_fargate:
        for c in containers:
            if c.get("memory") is None and c.get("memoryReservation") is None:
                raise client_error(
                    f"Invalid setting for container '{c['name']}'. At least one "
                    "of 'memory' or 'memoryReservation' must be specified."
                )
    if task_memory is not None:
        for c in containers:
            if (c.get("memory") or 0) > task_memory:
                raise client_error(
                    f"The 'memory' setting for container '{c['name']}' is greater "
                    "than for the task."
                )
        # What a container reserves: its soft limit, or its hard limit when it has no soft one.
        reserved = sum(c.get("memoryReservation") or c.get("memory") or 0 for c in containers)
        if reserved > task_memory:
            raise client_error(
                "The sum of all container 'memoryReservation' values cannot be "
                "greater than the value of the task 'memory'."
            )
    if td.get("cpu") and sum(c["cpu"] for c in containers) > int(td["cpu"]):
        raise client_error(
            "The sum of all container 'cpu' values cannot be greater than the "
            "value of the task 'cpu'."
        )

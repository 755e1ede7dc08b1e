"""What ECS derives from a registered task definition: `requiresAttributes` (the agent
capabilities a container instance needs to run it), `compatibilities` (where it could
run), and the field order of the stored document.

The attribute rules are read off real RegisterTaskDefinition answers: awslogs needs the
awslogs driver and Docker API 1.19, awsvpc needs task ENIs and API 1.18, a health check
needs API 1.24 (1.29 with a startPeriod), and so on. They are emitted in the order
those answers show them, so that a definition prints as it would from AWS.
"""

from __future__ import annotations

from typing import Any

from botocore.model import ListShape, Shape, StructureShape

from . import fargate
from .api import ecs
from .task_definition_containers import ECR_IMAGE, FARGATE_LOG_DRIVERS

_API = "com.amazonaws.ecs.capability.docker-remote-api."
_CAP = "com.amazonaws.ecs.capability."
# The order real answers list them in; anything else follows, sorted.
_ORDER = [
    _CAP + "logging-driver.awslogs",
    _API + "1.24",
    "ecs.capability.execution-role-awslogs",
    "ecs.capability.efsAuth",
    _CAP + "ecr-auth",
    _API + "1.19",
    "ecs.capability.secrets.asm.environment-variables",
    "ecs.capability.efs",
    _API + "1.17",
    _CAP + "task-iam-role",
    "ecs.capability.container-health-check",
    "ecs.capability.execution-role-ecr-pull",
    "ecs.capability.secrets.ssm.environment-variables",
    "ecs.capability.container-ordering",
    _API + "1.18",
    "ecs.capability.task-eni",
    _API + "1.29",
]
_RANK = {name: i for i, name in enumerate(_ORDER)}


def requires_attributes(td: dict[str, Any]) -> list[dict[str, str]]:
    names: set[str] = set()
    role = bool(td.get("executionRoleArn"))
    containers = td["containerDefinitions"]
    for c in containers:
        names |= _container_attributes(c, role)
    if td.get("networkMode") == "awsvpc":
        names |= {"ecs.capability.task-eni", _API + "1.18"}
    if td.get("taskRoleArn"):
        names.add(_CAP + "task-iam-role")
    if td.get("pidMode") or td.get("ipcMode"):
        names.add("ecs.capability.pid-ipc-namespace-sharing")
    for v in td.get("volumes") or []:
        efs = v.get("efsVolumeConfiguration")
        if efs:
            names.add("ecs.capability.efs")
            if efs.get("authorizationConfig") or efs.get("transitEncryption") == "ENABLED":
                names.add("ecs.capability.efsAuth")
    return [{"name": n} for n in sorted(names, key=lambda n: (_RANK.get(n, len(_RANK)), n))]


def _container_attributes(c: dict[str, Any], role: bool) -> set[str]:
    names: set[str] = set()
    driver = (c.get("logConfiguration") or {}).get("logDriver")
    if driver == "awslogs":
        names |= {_CAP + "logging-driver.awslogs", _API + "1.19"}
        if role:
            names.add("ecs.capability.execution-role-awslogs")
    elif driver:
        names |= {_CAP + f"logging-driver.{driver}", _API + "1.18"}
    if ECR_IMAGE.match(c.get("image", "")):
        names.add(_CAP + "ecr-auth")
        if role:
            names.add("ecs.capability.execution-role-ecr-pull")
    check = c.get("healthCheck")
    if check:
        names |= {
            "ecs.capability.container-health-check",
            _API + ("1.29" if check.get("startPeriod") is not None else "1.24"),
        }
    if c.get("dependsOn"):
        names.add("ecs.capability.container-ordering")
    for s in c.get("secrets") or []:
        kind = "asm" if ":secretsmanager:" in s["valueFrom"] else "ssm"
        names.add(f"ecs.capability.secrets.{kind}.environment-variables")
    if c.get("privileged"):
        names.add(_CAP + "privileged-container")
    if c.get("dockerLabels") or c.get("ulimits"):
        names.add(_API + "1.18")
    if c.get("environmentFiles"):
        names.add("ecs.capability.env-files.s3")
    return names


def compatibilities(td: dict[str, Any]) -> list[str]:
    """EC2 always. Bridge/host/none definitions also run on external instances; an awsvpc
    one with a Fargate size and nothing Fargate lacks also runs on Fargate."""
    requires = td.get("requiresCompatibilities") or []
    mode = td.get("networkMode")
    out = ["EXTERNAL", "EC2"] if mode != "awsvpc" else ["EC2"]
    if mode == "awsvpc" and _fits_fargate(td):
        out.append("FARGATE")
    if "MANAGED_INSTANCES" in requires:
        out.append("MANAGED_INSTANCES")
    return out


def _fits_fargate(td: dict[str, Any]) -> bool:
    if not (td.get("cpu") and td.get("memory")):
        return False
    if not fargate.fits(int(td["cpu"]), int(td["memory"])):
        return False
    if fargate.unsupported(td):
        return False
    for c in td["containerDefinitions"]:
        driver = (c.get("logConfiguration") or {}).get("logDriver")
        if c.get("links") or (driver and driver not in FARGATE_LOG_DRIVERS):
            return False
    return True


def in_model_order(doc: dict[str, Any]) -> dict[str, Any]:
    """The definition with its fields in the order of ECS's model, the order AWS answers in
    (taskDefinitionArn, containerDefinitions, family, …; name, image, cpu, …)."""
    result: dict[str, Any] = _ordered(ecs.spec.model.shape_for("TaskDefinition"), doc)
    return result


def _ordered(shape: Shape, value: Any) -> Any:
    if isinstance(shape, StructureShape) and isinstance(value, dict):
        members = shape.members
        known = {k: _ordered(members[k], value[k]) for k in members if k in value}
        return {**known, **{k: v for k, v in value.items() if k not in members}}
    if isinstance(shape, ListShape) and isinstance(value, list):
        return [_ordered(shape.member, v) for v in value]
    return value

"""The container definitions of RegisterTaskDefinition: what ECS refuses in one, and the
defaults it fills in (`cpu: 0`, `essential: true`, empty lists, `protocol: tcp`,
`hostPort` under awsvpc/host, health check timings).

Pure functions over dicts, no store: the task-level rules (task_definition_rules) call
them with a `Scope` saying what the task around the container looks like. Messages are
ECS's own where they are known (quoted from real ClientException answers); the others
follow their style.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from ...aws.errors import AwsError

_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_PORT_NAME = re.compile(r"^[a-z0-9_][a-z0-9_-]{0,63}$")
_PORT_RANGE = re.compile(r"^(\d{1,5})-(\d{1,5})$")
_SSM_ARN = re.compile(r"^arn:aws[\w-]*:ssm:[\w-]+:\d{12}:parameter/.+$")
# A whole secret, or one JSON key / version of it: after the secret name come either no
# more fields or all three (json-key:version-stage:version-id), each possibly empty.
_ASM_ARN = re.compile(
    r"^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:[^:]+"
    r"(?::[^:]*:[^:]*:[^:]*)?$"
)
_SSM_NAME = re.compile(r"^/?[A-Za-z0-9_.\-]+(?:/[A-Za-z0-9_.\-]+)*$")
ECR_IMAGE = re.compile(r"^\d{12}\.dkr\.ecr(?:-fips)?\.[\w-]+\.amazonaws\.com(?:\.cn)?/")

# healthCheck member → (lowest, highest, default filled in when absent).
HEALTH_BOUNDS: dict[str, tuple[int, int, int | None]] = {
    "interval": (5, 300, 30),
    "timeout": (2, 60, 5),
    "retries": (1, 10, 3),
    "startPeriod": (0, 300, None),
}
FARGATE_MAX_STOP_TIMEOUT = 120
MIN_CONTAINER_MEMORY = 6  # MiB the Docker daemon reserves at least
DEPENDENCY_CONDITIONS = ("START", "COMPLETE", "SUCCESS", "HEALTHY")
FARGATE_LOG_DRIVERS = ("awslogs", "splunk", "awsfirelens")
# Docker's awslogs options, less `awslogs-stream` (ECS names the stream itself), plus
# ECS's own `awslogs-stream-prefix`.
AWSLOGS_OPTIONS = frozenset(
    {
        "awslogs-region",
        "awslogs-group",
        "awslogs-stream-prefix",
        "awslogs-create-group",
        "awslogs-create-stream",
        "awslogs-datetime-format",
        "awslogs-multiline-pattern",
        "awslogs-endpoint",
        "awslogs-credentials-endpoint",
        "awslogs-force-flush-interval-seconds",
        "awslogs-max-buffered-events",
        "awslogs-format",
        "mode",
        "max-buffer-size",
        "tag",
    }
)
_LIST_DEFAULTS = ("portMappings", "environment", "mountPoints", "volumesFrom", "systemControls")


def client_error(message: str) -> AwsError:
    return AwsError("ClientException", message)


@dataclass(frozen=True)
class Scope:
    """What a container's rules need to know about the task around it."""

    network_mode: str | None
    on_fargate: bool
    execution_role: bool
    volumes: frozenset[str] = field(default_factory=frozenset)
    containers: frozenset[str] = field(default_factory=frozenset)


def check_names(containers: list[dict[str, Any]]) -> list[str]:
    names = []
    for c in containers:
        name = c.get("name")
        if not name:
            raise client_error("Container.name should not be null or empty.")
        if not _NAME.match(name):
            raise client_error("Container.name contains invalid characters.")
        names.append(name)
    if len(set(names)) != len(names):
        raise client_error("Container names must be unique within a Task Definition.")
    return names


def normalise(c: dict[str, Any], scope: Scope) -> None:
    """Check one container definition and fill ECS's defaults into it, in place."""
    name = c["name"]
    if not c.get("image"):
        raise client_error("Container.image should not be null or empty.")
    c.setdefault("cpu", 0)
    c.setdefault("essential", True)
    for key in _LIST_DEFAULTS:
        c.setdefault(key, [])
    if c["cpu"] < 0:
        raise client_error(f"Invalid 'cpu' setting for container '{name}'.")
    _memory(c)
    if scope.network_mode == "awsvpc":
        for key in ("hostname", "links"):
            if c.get(key):
                raise client_error(f"{key} is not supported on container when networkMode=awsvpc.")
    _ports(c, scope.network_mode)
    timeout = c.get("stopTimeout")
    if timeout is not None and scope.on_fargate and not 0 <= timeout <= FARGATE_MAX_STOP_TIMEOUT:
        raise client_error(
            f"Invalid 'stopTimeout' setting for container '{name}'. The maximum "
            f"on Fargate is {FARGATE_MAX_STOP_TIMEOUT} seconds."
        )
    if c.get("healthCheck"):
        _health_check(c)
    if c.get("restartPolicy") is not None:
        _restart_policy(c)
    _secrets(c)
    _log_configuration(c, scope)
    if scope.on_fargate and ECR_IMAGE.match(c["image"]) and not scope.execution_role:
        raise client_error(
            "Fargate requires task definition to have execution role ARN to support ECR images."
        )
    for m in c["mountPoints"]:
        if m.get("sourceVolume") not in scope.volumes:
            raise client_error(
                f"Invalid 'mountPoints' setting for container '{name}'. Unknown "
                f"volume '{m.get('sourceVolume')}'."
            )
        if not m.get("containerPath"):
            raise client_error(
                f"Invalid 'mountPoints' setting for container '{name}'. "
                "containerPath should not be null or empty."
            )
    for v in c["volumesFrom"]:
        source = v.get("sourceContainer")
        if source not in scope.containers or source == name:
            raise client_error(
                f"Invalid 'volumesFrom' setting for container '{name}'. Unknown "
                f"container '{source}'."
            )


def _memory(c: dict[str, Any]) -> None:
    name, memory, reservation = c["name"], c.get("memory"), c.get("memoryReservation")
    for key, value in (("memory", memory), ("memoryReservation", reservation)):
        if value is not None and value < MIN_CONTAINER_MEMORY:
            raise client_error(
                f"Invalid '{key}' setting for container '{name}'. The minimum "
                f"is {MIN_CONTAINER_MEMORY} MiB."
            )
    # Docker takes a hard limit equal to the reservation, so ECS does too.
    if memory is not None and reservation is not None and memory < reservation:
        raise client_error(
            f"Invalid setting for container '{name}'. The 'memory' value must be "
            "greater than or equal to the 'memoryReservation' value."
        )


def _ports(c: dict[str, Any], mode: str | None) -> None:
    name = c["name"]
    taken: list[tuple[int, int]] = []  # container port ranges already mapped
    for pm in c["portMappings"]:
        pm.setdefault("protocol", "tcp")
        port, span = pm.get("containerPort"), pm.get("containerPortRange")
        if port is not None and span:
            raise client_error(
                f"Invalid port mapping for container '{name}'. Specify either "
                "containerPort or containerPortRange, not both."
            )
        if span:
            low, high = _port_range(name, span, pm, mode)
        elif port is None:
            raise client_error(
                f"Invalid port mapping for container '{name}'. containerPort or "
                "containerPortRange must be specified."
            )
        else:
            if not 1 <= port <= 65535:
                raise client_error(
                    f"Invalid port mapping for container '{name}'. containerPort "
                    "must be between 1 and 65535."
                )
            if mode in ("awsvpc", "host"):
                if pm.get("hostPort") not in (None, port):
                    raise client_error(
                        f"When networkMode={mode}, the host ports and container "
                        "ports in port mappings must match."
                    )
                pm["hostPort"] = port
            low = high = port
        # One container port (or range) per container, whatever the protocol.
        for a, b in taken:
            if low <= b and a <= high:
                raise client_error(
                    f"Invalid port mapping for container '{name}'. Container "
                    f"port {low if low == high else span} is mapped more than "
                    "once."
                )
        taken.append((low, high))
        pname = pm.get("name")
        if pname is not None and not _PORT_NAME.match(pname):
            raise client_error(
                f"Invalid port mapping name '{pname}' in container '{name}'. "
                "Up to 64 lowercase letters, numbers, underscores and "
                "hyphens are allowed, and it cannot start with a hyphen."
            )
        if pm.get("appProtocol") and pname is None:
            raise client_error(
                f"Invalid port mapping for container '{name}'. appProtocol "
                "requires the port mapping to have a name."
            )


def _port_range(name: str, span: str, pm: dict[str, Any], mode: str | None) -> tuple[int, int]:
    m = _PORT_RANGE.match(span)
    low, high = (int(m.group(1)), int(m.group(2))) if m else (0, 0)
    if not 1 <= low < high <= 65535:
        raise client_error(
            f"Invalid containerPortRange '{span}' for container '{name}'. Use "
            "the form 'start-end' with 1 <= start < end <= 65535."
        )
    if pm.get("hostPort") is not None:
        raise client_error(
            f"Invalid port mapping for container '{name}'. hostPort cannot be "
            "specified with containerPortRange."
        )
    if mode not in ("awsvpc", "bridge", None):
        raise client_error(
            "containerPortRange is only supported when networkMode is awsvpc or bridge."
        )
    return low, high


def _health_check(c: dict[str, Any]) -> None:
    name, check = c["name"], c["healthCheck"]
    command = check.get("command") or []
    if len(command) < 2 or command[0] not in ("CMD", "CMD-SHELL"):
        raise client_error(
            f"Invalid 'healthCheck' setting for container '{name}'. The command "
            "must start with CMD or CMD-SHELL, followed by what to run."
        )
    for key, (low, high, default) in HEALTH_BOUNDS.items():
        value = check.get(key)
        if value is None:
            if default is not None:
                check[key] = default
        elif not low <= value <= high:
            raise client_error(
                f"Invalid 'healthCheck' setting for container '{name}'. '{key}' "
                f"must be between {low} and {high}."
            )


def _restart_policy(c: dict[str, Any]) -> None:
    # The bounds are AWS's (60–1800 s, at most 50 exit codes); the texts are ecsd's own.
    policy = c["restartPolicy"]
    period = policy.get("restartAttemptPeriod")
    if period is not None and not 60 <= period <= 1800:
        raise client_error(
            f"Invalid 'restartPolicy' setting for container '{c['name']}'. "
            "restartAttemptPeriod must be between 60 and 1800 seconds."
        )
    if len(policy.get("ignoredExitCodes") or []) > 50:
        raise client_error(
            f"Invalid 'restartPolicy' setting for container '{c['name']}'. "
            "ignoredExitCodes can have at most 50 exit codes."
        )


def _secrets(c: dict[str, Any]) -> None:
    for secret in c.get("secrets") or []:
        v = secret["valueFrom"]
        if v.startswith("arn:"):
            ok = bool(_SSM_ARN.match(v) or _ASM_ARN.match(v))
        else:
            ok = len(v) <= 2048 and bool(_SSM_NAME.match(v))
        if not ok:
            raise client_error(
                f"Invalid 'valueFrom' for secret '{secret['name']}' in container "
                f"'{c['name']}': {v}. Use a Systems Manager parameter name or "
                "ARN, or a Secrets Manager secret ARN."
            )


def _log_configuration(c: dict[str, Any], scope: Scope) -> None:
    config = c.get("logConfiguration")
    if not config:
        return
    driver = config["logDriver"]
    if scope.on_fargate and driver not in FARGATE_LOG_DRIVERS:
        raise client_error(
            f"Log driver {driver} is not supported on Fargate. Use awslogs, splunk or awsfirelens."
        )
    if driver != "awslogs":
        return
    options = config.get("options") or {}
    missing = [o for o in ("awslogs-region", "awslogs-group") if not options.get(o)]
    if missing:
        raise client_error("Log driver awslogs requires options: " + ", ".join(missing))
    unknown = sorted(set(options) - AWSLOGS_OPTIONS)
    if unknown:
        raise client_error("Log driver awslogs disallows options: " + ", ".join(unknown))
    if scope.on_fargate:
        if not scope.execution_role:
            raise client_error(
                "Fargate requires task definition to have execution role ARN to "
                "support log driver awslogs."
            )
        if not options.get("awslogs-stream-prefix"):
            raise client_error(
                "Fargate requires log configuration options to include "
                "awslogs-stream-prefix to support log driver awslogs."
            )


def check_port_names(containers: list[dict[str, Any]]) -> None:
    """Port mapping names identify a port across the whole task (Service Connect)."""
    seen: set[str] = set()
    for c in containers:
        for pm in c["portMappings"]:
            pname = pm.get("name")
            if pname is None:
                continue
            if pname in seen:
                raise client_error(
                    f"Port mapping names must be unique within a task definition: '{pname}'."
                )
            seen.add(pname)


def check_dependencies(containers: list[dict[str, Any]]) -> None:
    by_name = {c["name"]: c for c in containers}
    for c in containers:
        for dep in c.get("dependsOn") or []:
            target = by_name.get(dep["containerName"])
            if target is None:
                # Sic: ECS's own text has the stray "+".
                raise client_error(
                    f"Cannot depend on container + '{dep['containerName']}' "
                    "because it does not exist"
                )
            condition = dep["condition"]
            if condition in ("COMPLETE", "SUCCESS") and target["essential"]:
                raise client_error(
                    "A dependency container with SUCCESS or COMPLETE condition "
                    "cannot be an essential container"
                )
            if condition == "HEALTHY" and not target.get("healthCheck"):
                raise client_error(
                    "A dependency container with HEALTHY condition must have a "
                    f"health check: container '{target['name']}' has none"
                )
    for c in containers:
        _no_cycle(c, by_name, [])


def _no_cycle(c: dict[str, Any], by_name: dict[str, dict[str, Any]], path: list[str]) -> None:
    if c["name"] in path:
        chain = " -> ".join(path[path.index(c["name"]) :] + [c["name"]])
        raise client_error(f"Container dependencies cannot form a cycle: {chain}")
    for dep in c.get("dependsOn") or []:
        _no_cycle(by_name[dep["containerName"]], by_name, path + [c["name"]])

"""RegisterTaskDefinition's rules: what ECS refuses, and the defaults it fills in.

`normalise(params)` returns the task definition as ECS stores and returns it, or raises
ClientException with ECS's words. Pure: no store, so every rule is cheap to test.
"""

from __future__ import annotations

import copy
import re
from typing import Any

from ...aws.errors import AwsError
from . import arns, fargate

_CONTAINER_NAME = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
_PORT_NAME = re.compile(r"^[a-z0-9_][a-z0-9_-]{0,63}$")
_SSM_ARN = re.compile(r"^arn:aws[\w-]*:ssm:[\w-]+:\d{12}:parameter/.+$")
_ASM_ARN = re.compile(r"^arn:aws[\w-]*:secretsmanager:[\w-]+:\d{12}:secret:[^:]+"
                      r"(:[^:]*(:[^:]*(:[^:]*)?)?)?$")
_SSM_NAME = re.compile(r"^/?[A-Za-z0-9_.\-/]{1,2048}$")
HEALTH_BOUNDS = {"interval": (5, 300, 30), "timeout": (2, 60, 5), "retries": (1, 10, 3),
                 "startPeriod": (0, 300, None)}
FARGATE_MAX_STOP_TIMEOUT = 120


def client_error(message: str) -> AwsError:
    return AwsError("ClientException", message)


def normalise(p: dict[str, Any]) -> dict[str, Any]:
    td = copy.deepcopy(p)
    td.pop("tags", None)
    family = td.get("family", "")
    if not arns.NAME.match(family):
        raise client_error("Family contains invalid characters or is longer than 255 "
                           "characters. Only letters (uppercase and lowercase), numbers, "
                           "hyphens, and underscores are allowed.")
    containers = td.get("containerDefinitions") or []
    if not containers:
        raise client_error("Container list cannot be empty.")
    needs_fargate = "FARGATE" in (td.get("requiresCompatibilities") or [])
    _task_size(td, needs_fargate)
    mode = td.get("networkMode")
    if needs_fargate and mode != "awsvpc":
        raise client_error("Fargate only supports network mode 'awsvpc'.")
    names = [c.get("name", "") for c in containers]
    for name in names:
        if not _CONTAINER_NAME.match(name):
            raise client_error(f"Container name '{name}' is invalid. Up to 255 letters "
                               "(uppercase and lowercase), numbers, hyphens, and underscores "
                               "are allowed.")
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise client_error(f"Duplicate container name: {duplicates[0]}")
    volumes = td.setdefault("volumes", [])
    volume_names = [v.get("name") for v in volumes]
    if len(set(volume_names)) != len(volume_names):
        raise client_error("Volume names must be unique.")
    for c in containers:
        _container(c, mode=mode, needs_fargate=needs_fargate, td=td,
                   volume_names=set(volume_names), container_names=set(names))
    if not any(c["essential"] for c in containers):
        raise client_error("A task definition must have at least one essential container.")
    by_name = {c["name"]: c for c in containers}
    for c in containers:
        _depends_on(c, by_name)
    _memory_totals(td, containers)
    td.setdefault("placementConstraints", [])
    return td


def _task_size(td: dict[str, Any], needs_fargate: bool) -> None:
    cpu, memory = td.get("cpu"), td.get("memory")
    if cpu is not None:
        units = fargate.cpu_units(cpu)
        if units is None or units <= 0:
            raise client_error("Invalid 'cpu' setting for task.")
        td["cpu"] = str(units)
    if memory is not None:
        mib = fargate.memory_mib(memory)
        if mib is None or mib <= 0:
            raise client_error("Invalid 'memory' setting for task.")
        td["memory"] = str(mib)
    if not needs_fargate:
        return
    if cpu is None:
        raise client_error("Fargate requires that 'cpu' be defined at the task level.")
    if memory is None:
        raise client_error("Fargate requires that 'memory' be defined at the task level.")
    if int(td["cpu"]) not in fargate.SIZES:
        raise client_error("Invalid 'cpu' setting for task.")
    if not fargate.fits(int(td["cpu"]), int(td["memory"])):
        raise client_error("Invalid 'memory' setting for task.")


def _container(c: dict[str, Any], *, mode: str | None, needs_fargate: bool, td: dict[str, Any],
               volume_names: set[str], container_names: set[str]) -> None:
    name = c["name"]
    c.setdefault("cpu", 0)
    c.setdefault("essential", True)
    for key in ("environment", "mountPoints", "volumesFrom", "systemControls"):
        c.setdefault(key, [])
    if not c.get("image"):
        raise client_error("Container.image should not be null or empty.")
    _ports(c, mode)
    memory, reservation = c.get("memory"), c.get("memoryReservation")
    if memory is not None and memory < 6:
        raise client_error(f"Invalid 'memory' setting for container '{name}'. The minimum "
                           "is 6 MiB.")
    if memory is not None and reservation is not None and memory <= reservation:
        raise client_error(f"Invalid setting for container '{name}'. The 'memory' value must "
                           "be greater than the 'memoryReservation' value.")
    if not needs_fargate and memory is None and reservation is None and not td.get("memory"):
        raise client_error(f"Invalid setting for container '{name}'. At least one of "
                           "'memory' or 'memoryReservation' must be specified.")
    timeout = c.get("stopTimeout")
    if timeout is not None and needs_fargate and not 0 <= timeout <= FARGATE_MAX_STOP_TIMEOUT:
        raise client_error(f"Invalid 'stopTimeout' setting for container '{name}'. The "
                           f"maximum on Fargate is {FARGATE_MAX_STOP_TIMEOUT} seconds.")
    if c.get("healthCheck"):
        _health_check(c)
    for secret in c.get("secrets") or []:
        v = secret.get("valueFrom", "")
        if not (_SSM_ARN.match(v) or _ASM_ARN.match(v) or
                (not v.startswith("arn:") and _SSM_NAME.match(v))):
            raise client_error(f"Invalid 'valueFrom' for secret '{secret.get('name')}' in "
                               f"container '{name}': {v}. Use an SSM parameter name or ARN, or "
                               "a Secrets Manager secret ARN.")
    _log_configuration(c, needs_fargate, td)
    for m in c["mountPoints"]:
        if m.get("sourceVolume") not in volume_names:
            raise client_error(f"Invalid 'mountPoints' for container '{name}': unknown "
                               f"volume '{m.get('sourceVolume')}'.")
    for v in c["volumesFrom"]:
        if v.get("sourceContainer") not in container_names or v["sourceContainer"] == name:
            raise client_error(f"Invalid 'volumesFrom' for container '{name}': unknown "
                               f"container '{v.get('sourceContainer')}'.")


def _ports(c: dict[str, Any], mode: str | None) -> None:
    seen: dict[int, str] = {}
    names: set[str] = set()
    for pm in c.get("portMappings") or []:
        pm.setdefault("protocol", "tcp")
        port = pm.get("containerPort")
        if port is not None:
            if mode in ("awsvpc", "host"):
                if pm.get("hostPort") not in (None, port):
                    raise client_error(f"When networkMode={mode}, the host ports and container "
                                       "ports in port mappings must match.")
                pm["hostPort"] = port
            if port in seen:
                raise client_error(f"Container port {port} is mapped more than once in "
                                   f"container '{c['name']}'.")
            seen[port] = pm["protocol"]
        elif not pm.get("containerPortRange"):
            raise client_error("Container port must be specified for each port mapping.")
        pname = pm.get("name")
        if pname is not None:
            if not _PORT_NAME.match(pname):
                raise client_error(f"Invalid port mapping name '{pname}': up to 64 lowercase "
                                   "letters, numbers, underscores and hyphens, not starting "
                                   "with a hyphen.")
            if pname in names:
                raise client_error(f"Port mapping name '{pname}' is used more than once.")
            names.add(pname)
        if pm.get("appProtocol") and not pname:
            raise client_error("appProtocol needs the port mapping to have a name.")
    if c.get("portMappings") is not None or mode:
        c["portMappings"] = c.get("portMappings") or []


def _health_check(c: dict[str, Any]) -> None:
    check = c["healthCheck"]
    command = check.get("command") or []
    if not command or command[0] not in ("CMD", "CMD-SHELL"):
        raise client_error(f"Invalid 'healthCheck' for container '{c['name']}': the command "
                           "must start with CMD or CMD-SHELL.")
    for key, (low, high, default) in HEALTH_BOUNDS.items():
        value = check.get(key)
        if value is None:
            if default is not None:
                check[key] = default
            continue
        if not low <= value <= high:
            raise client_error(f"Invalid 'healthCheck' for container '{c['name']}': {key} must "
                               f"be between {low} and {high}.")


def _log_configuration(c: dict[str, Any], needs_fargate: bool, td: dict[str, Any]) -> None:
    config = c.get("logConfiguration")
    if not config:
        return
    config.setdefault("options", {})
    config.setdefault("secretOptions", [])
    if config["logDriver"] != "awslogs":
        if needs_fargate and config["logDriver"] not in ("splunk", "awsfirelens"):
            raise client_error(f"Fargate does not support log driver {config['logDriver']}.")
        return
    options = config["options"]
    required = ["awslogs-group", "awslogs-region"]
    if needs_fargate:
        required.append("awslogs-stream-prefix")
    for option in required:
        if not options.get(option):
            raise client_error(f"Log driver awslogs option '{option}' should not be null or "
                               "empty.")
    if needs_fargate and not td.get("executionRoleArn"):
        raise client_error("Fargate requires task definition to have execution role ARN to "
                           "support log driver awslogs.")


def _depends_on(c: dict[str, Any], by_name: dict[str, dict[str, Any]]) -> None:
    for dep in c.get("dependsOn") or []:
        target = by_name.get(dep["containerName"])
        if target is None or target is c:
            raise client_error(f"Container '{c['name']}' depends on a container "
                               f"'{dep['containerName']}' that is not in the task definition.")
        condition = dep["condition"]
        if condition in ("COMPLETE", "SUCCESS") and target["essential"]:
            raise client_error(f"Container '{c['name']}' cannot depend on the essential "
                               f"container '{target['name']}' with condition {condition}: only "
                               "non-essential containers can be waited on to complete.")
        if condition == "HEALTHY" and not target.get("healthCheck"):
            raise client_error(f"Container '{c['name']}' depends on '{target['name']}' being "
                               "HEALTHY, but that container has no healthCheck.")
    _no_cycle(c, by_name, [])


def _no_cycle(c: dict[str, Any], by_name: dict[str, dict[str, Any]], path: list[str]) -> None:
    if c["name"] in path:
        raise client_error("Container dependencies form a cycle: "
                           + " -> ".join(path + [c["name"]]))
    for dep in c.get("dependsOn") or []:
        _no_cycle(by_name[dep["containerName"]], by_name, path + [c["name"]])


def _memory_totals(td: dict[str, Any], containers: list[dict[str, Any]]) -> None:
    if not td.get("memory"):
        return
    total = sum(c.get("memoryReservation") or c.get("memory") or 0 for c in containers)
    if total > int(td["memory"]):
        raise client_error("The sum of the container memory reservations "
                           f"({total} MiB) is more than the task memory ({td['memory']} MiB).")
    for c in containers:
        if (c.get("memory") or 0) > int(td["memory"]):
            raise client_error(f"Invalid 'memory' setting for container '{c['name']}': more "
                               "than the task memory.")


def requires_attributes(td: dict[str, Any]) -> list[dict[str, str]]:
    """The agent capabilities a definition needs, as ECS lists them."""
    names = set()
    containers = td["containerDefinitions"]
    if any((c.get("logConfiguration") or {}).get("logDriver") == "awslogs" for c in containers):
        names |= {"com.amazonaws.ecs.capability.logging-driver.awslogs",
                  "com.amazonaws.ecs.capability.docker-remote-api.1.19"}
        if td.get("executionRoleArn"):
            names.add("ecs.capability.execution-role-awslogs")
    if td.get("networkMode") == "awsvpc":
        names |= {"ecs.capability.task-eni", "com.amazonaws.ecs.capability.docker-remote-api.1.18"}
    if td.get("taskRoleArn"):
        names.add("com.amazonaws.ecs.capability.task-iam-role")
    if any(c.get("healthCheck") for c in containers):
        names |= {"ecs.capability.container-health-check",
                  "com.amazonaws.ecs.capability.docker-remote-api.1.24"}
    if any(c.get("dependsOn") for c in containers):
        names.add("ecs.capability.container-ordering")
    for c in containers:
        for s in c.get("secrets") or []:
            if ":secretsmanager:" in s["valueFrom"]:
                names.add("ecs.capability.secrets.asm.environment-variables")
            else:
                names.add("ecs.capability.secrets.ssm.environment-variables")
            if td.get("executionRoleArn"):
                names.add("ecs.capability.execution-role-ecr-pull")
    return [{"name": n} for n in sorted(names)]


def compatibilities(td: dict[str, Any]) -> list[str]:
    """Where the definition could run: EC2 always; FARGATE too when it fits Fargate."""
    out = ["EC2"]
    if td.get("networkMode") == "awsvpc" and td.get("cpu") and td.get("memory") and \
            fargate.fits(int(td["cpu"]), int(td["memory"])):
        out.append("FARGATE")
    return out

"""Task sets: the deployments of a service whose deployment controller is CODE_DEPLOY or
EXTERNAL, as ECS keeps them (issue #14, item 4).

A task set is much like a deployment of the rolling-update controller — an id
`ecs-svc/<digits>` that its tasks carry as `startedBy`, a task definition, a network
configuration — except that the tool driving it (CodeDeploy, or anyone calling the
task-set API) says how big it is: `scale` (a percentage of the service's desiredCount)
gives its `computedDesiredCount` = ceil(desiredCount × scale / 100), and the service
scheduler (controllers/service_tick.py) starts and stops tasks toward it. A task set also
has its own `loadBalancers`: its tasks are registered in those target groups
(service_targets.py), which is how a blue/green shift moves traffic.

Task sets are kept in the service document's `taskSets[]` (the field DescribeServices
shows), so a service and its task sets change in one transaction. A deleted task set is
DRAINING with a computedDesiredCount of 0 until its last task has stopped, and then leaves
`taskSets[]`.
"""

from __future__ import annotations

import math
from typing import Any

from ...aws.errors import AwsError
from ...core.unit import Unit
from . import services as service_model

CONTROLLERS = ("CODE_DEPLOY", "EXTERNAL")
# AWS's quota: "5 deployments exist on the service. Unable to create new TaskSet since
# this exceeds the maximum limit."
MAX_TASK_SETS = 5


def controller(service: dict[str, Any]) -> str:
    return str((service.get("deploymentController") or {}).get("type") or "ECS")


def uses_task_sets(service: dict[str, Any]) -> bool:
    return controller(service) in CONTROLLERS


def computed_desired(desired: int, scale_percent: float) -> int:
    """The tasks a task set runs: its share of the service's desiredCount, rounded up."""
    return math.ceil(desired * scale_percent / 100)


def check_scale(scale: dict[str, Any] | None) -> dict[str, Any]:
    """`scale` as ECS takes it: a percentage between 0 and 100 (100 when not given)."""
    if scale is None:
        return {"value": 100.0, "unit": "PERCENT"}
    unit = scale.get("unit") or "PERCENT"
    value = scale.get("value")
    if unit != "PERCENT":
        raise AwsError("InvalidParameterException", "Scale unit must be PERCENT.")
    if value is None or not 0 <= float(value) <= 100:
        # ecsd's own text: AWS's is not documented.
        raise AwsError("InvalidParameterException", "Scale value must be between 0 and 100.")
    return {"value": float(value), "unit": "PERCENT"}


def arn(service: dict[str, Any], set_id: str) -> str:
    """`arn:aws:ecs:<region>:<acct>:task-set/<cluster>/<service>/ecs-svc/<digits>`."""
    prefix, rest = service["serviceArn"].split(":service/", 1)
    cluster, name = rest.rsplit("/", 1) if "/" in rest else ("default", rest)
    return f"{prefix}:task-set/{cluster}/{name}/{set_id}"


def new(
    unit: Unit,
    service: dict[str, Any],
    *,
    taskdef_arn: str,
    launch_type: str,
    network: dict[str, Any] | None,
    load_balancers: list[dict[str, Any]],
    scale: dict[str, Any],
    external_id: str | None = None,
    started_by: str | None = None,
    platform_version: str | None = None,
) -> dict[str, Any]:
    """A new task set of the service (ACTIVE, or PRIMARY when it is the service's first)."""
    set_id = service_model.new_deployment_id()
    first = not [s for s in service.get("taskSets") or [] if s["status"] != "DRAINING"]
    doc: dict[str, Any] = {
        "id": set_id,
        "taskSetArn": arn(service, set_id),
        "serviceArn": service["serviceArn"],
        "clusterArn": service["clusterArn"],
        "status": "PRIMARY" if first else "ACTIVE",
        "taskDefinition": taskdef_arn,
        "computedDesiredCount": computed_desired(service["desiredCount"], scale["value"]),
        "pendingCount": 0,
        "runningCount": 0,
        "createdAt": unit.now,
        "updatedAt": unit.now,
        "launchType": launch_type,
        "platformVersion": "1.4.0"
        if (platform_version or "LATEST") == "LATEST"
        else platform_version,
        "platformFamily": "Linux",
        "loadBalancers": load_balancers,
        "serviceRegistries": [],
        "scale": scale,
        "stabilityStatus": "STABILIZING",
        "stabilityStatusAt": unit.now,
    }
    if external_id is not None:
        doc["externalId"] = external_id
    if started_by is not None:
        doc["startedBy"] = started_by
    if network:
        doc["networkConfiguration"] = network
    return doc


def find(service: dict[str, Any], ref: str) -> dict[str, Any]:
    """The service's task set named by id or ARN, or AWS's TaskSetNotFoundException."""
    for s in service.get("taskSets") or []:
        if ref in (s["id"], s["taskSetArn"]):
            return s
    # ecsd's own text: AWS's is not documented.
    raise AwsError("TaskSetNotFoundException", f"The specified task set {ref} does not exist.")


def rescale(unit: Unit, service: dict[str, Any]) -> None:
    """Every task set's computedDesiredCount follows the service's desiredCount and its
    scale (a DRAINING one, and every one of a service going away, keeps none). A new
    count means the set is STABILIZING until the scheduler has met it."""
    desired = int(service["desiredCount"]) if service["status"] == "ACTIVE" else 0
    for s in service.get("taskSets") or []:
        want = 0 if s["status"] == "DRAINING" else computed_desired(desired, s["scale"]["value"])
        if s["computedDesiredCount"] != want:
            s.update(computedDesiredCount=want, updatedAt=unit.now)
            if s.get("stabilityStatus") != "STABILIZING":
                s.update(stabilityStatus="STABILIZING", stabilityStatusAt=unit.now)


def make_primary(unit: Unit, service: dict[str, Any], chosen: dict[str, Any]) -> None:
    """UpdateServicePrimaryTaskSet: the chosen set is PRIMARY, the old primary ACTIVE, and
    the service shows the primary's task definition."""
    for s in service.get("taskSets") or []:
        if s["status"] == "PRIMARY" and s is not chosen:
            s.update(status="ACTIVE", updatedAt=unit.now)
    chosen.update(status="PRIMARY", updatedAt=unit.now)
    service["taskDefinition"] = chosen["taskDefinition"]


def drain(unit: Unit, service: dict[str, Any], chosen: dict[str, Any]) -> None:
    """DeleteTaskSet: the set runs nothing more; it leaves once its tasks are gone."""
    chosen.update(status="DRAINING", updatedAt=unit.now)
    rescale(unit, service)


def step(computed: int, active: int) -> tuple[int, int]:
    """(tasks to start, tasks to stop) for a task set with `active` tasks running or on
    their way up: a task set moves straight to its count (the tool driving it shifts
    traffic between sets, so there is no rolling percentage within one)."""
    return max(0, computed - active), max(0, active - computed)


def stability(computed: int, running: int, pending: int) -> str:
    """STEADY_STATE once exactly `computedDesiredCount` tasks run (healthy in their target
    groups, where the set has load balancers) and none is on its way up; STABILIZING
    otherwise (ECS's definition, without container instances)."""
    return "STEADY_STATE" if running == computed and pending == 0 else "STABILIZING"


def settle(unit: Unit, s: dict[str, Any], running: int, pending: int) -> bool:
    """Record the set's stabilityStatus (and when it last changed); True if it changed."""
    status = stability(int(s["computedDesiredCount"]), running, pending)
    if s.get("stabilityStatus") == status:
        return False
    s.update(stabilityStatus=status, stabilityStatusAt=unit.now, updatedAt=unit.now)
    return True


def gone(service: dict[str, Any], live_ids: set[str]) -> None:
    """DRAINING task sets whose last task has stopped leave the service."""
    service["taskSets"] = [
        s for s in service.get("taskSets") or [] if s["status"] != "DRAINING" or s["id"] in live_ids
    ]

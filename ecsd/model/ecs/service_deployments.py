"""Service deployments and service revisions, kept from the deployments the scheduler runs.

The scheduler and UpdateService work on a service's `deployments[]` (model/ecs/services);
every time a service is saved, `record` brings its service deployments up to date from
them, so there is one truth and this is its history, which DescribeServices forgets:

- each new deployment is a service deployment (ARN
  `service-deployment/<cluster>/<service>/<id>`) whose target is a new service revision
  (`service-revision/<cluster>/<service>/<id>`: the task definition, launch type or
  capacity provider strategy, platform, load balancers, network configuration it rolled
  out), and whose sources are the revisions of the deployments it replaces;
- its status follows the deployment's rolloutState: IN_PROGRESS, SUCCESSFUL when
  COMPLETED, STOPPED when a newer deployment replaced it first or the circuit breaker
  stopped it without a rollback; a rollback (the circuit breaker's, or
  StopServiceDeployment ROLLBACK) is not a deployment of its own but this one's
  ROLLBACK_REQUESTED → ROLLBACK_IN_PROGRESS → ROLLBACK_SUCCESSFUL / ROLLBACK_FAILED, as
  on AWS;
- deployments are kept 90 days after they were created, as AWS keeps them.

The statusReason texts are ecsd's own where AWS's are not documented.
"""

from __future__ import annotations

import math
import re
from typing import Any

from sqlalchemy import delete, select

from ...aws.errors import AwsError
from ...core.unit import Unit
from ...store.schema.ecs_service_deployments import service_deployments, service_revisions
from ..keyset import Keyset
from . import task_definitions
from .scheduler_state import SchedulerState

KEPT_SECONDS = 90 * 24 * 3600
BREAKER_MIN, BREAKER_MAX = 3, 200
ROLLBACK_MARK = "ECS deployment circuit breaker: rolling back"
# Set on a deployment started by StopServiceDeployment ROLLBACK (ecsd's own text).
STOP_ROLLBACK_REASON = "Service deployment rolled back on request (StopServiceDeployment)."
_BACK_TO = re.compile(r"rolling back to deploymentId (\S+?)\.?$")
FINISHED = ("SUCCESSFUL", "STOPPED", "ROLLBACK_SUCCESSFUL", "ROLLBACK_FAILED")


def breaker_threshold(desired: int) -> int:
    """Failed tasks that trip the deployment circuit breaker: half the desired count,
    rounded up, kept within [3, 200] (the one place; controllers/rollout.py uses it)."""
    return min(BREAKER_MAX, max(BREAKER_MIN, math.ceil(0.5 * desired)))


def _suffix(deployment_id: str) -> str:
    return deployment_id.rsplit("/", 1)[-1]


def _arn(service: dict[str, Any], kind: str, deployment_id: str) -> str:
    prefix, rest = service["serviceArn"].split(":service/", 1)
    cluster, name = rest.rsplit("/", 1) if "/" in rest else ("default", rest)
    return f"{prefix}:{kind}/{cluster}/{name}/{_suffix(deployment_id)}"


def deployment_arn(service: dict[str, Any], deployment_id: str) -> str:
    return _arn(service, "service-deployment", deployment_id)


def revision_arn(service: dict[str, Any], deployment_id: str) -> str:
    return _arn(service, "service-revision", deployment_id)


def _revision(service: dict[str, Any], d: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "serviceRevisionArn": revision_arn(service, d["id"]),
        "serviceArn": service["serviceArn"],
        "clusterArn": service["clusterArn"],
        "taskDefinition": d["taskDefinition"],
        "platformVersion": d.get("platformVersion", "1.4.0"),
        "platformFamily": d.get("platformFamily", "Linux"),
        "loadBalancers": service.get("loadBalancers") or [],
        "serviceRegistries": service.get("serviceRegistries") or [],
        "guardDutyEnabled": False,
        "createdAt": d["createdAt"],
    }
    if d.get("capacityProviderStrategy"):
        out["capacityProviderStrategy"] = d["capacityProviderStrategy"]
    else:
        out["launchType"] = d.get("launchType", "FARGATE")
    if d.get("networkConfiguration"):
        out["networkConfiguration"] = d["networkConfiguration"]
    return out


def _images(unit: Unit, taskdef_arn: str) -> list[dict[str, str]]:
    """The revision's containerImages: each container's image as the task definition
    names it (ecsd resolves no digest before a task pulls it, so none is shown)."""
    try:
        taskdef = task_definitions.load(unit, taskdef_arn)
    except AwsError:
        return []
    return [
        {"containerName": c["name"], "image": c["image"]}
        for c in taskdef.get("containerDefinitions") or []
    ]


def _summary(service: dict[str, Any], d: dict[str, Any]) -> dict[str, Any]:
    return {"arn": revision_arn(service, d["id"]), "requestedTaskCount": d["desiredCount"]}


def _load(unit: Unit, deployment_id: str) -> dict[str, Any] | None:
    row = unit.conn.execute(
        select(service_deployments.c.doc).where(
            service_deployments.c.deployment_id == deployment_id
        )
    ).first()
    return None if row is None else dict(row.doc)


def _write(unit: Unit, doc: dict[str, Any], *, insert: bool) -> None:
    values = {"status": doc["status"], "doc": doc}
    if insert:
        unit.conn.execute(
            service_deployments.insert().values(
                arn=doc["serviceDeploymentArn"],
                deployment_id=doc["_deploymentId"],
                service_arn=doc["serviceArn"],
                created_at=doc["createdAt"],
                **values,
            )
        )
    else:
        unit.conn.execute(
            service_deployments.update()
            .where(service_deployments.c.arn == doc["serviceDeploymentArn"])
            .values(**values)
        )


def _breaker(service: dict[str, Any], d: dict[str, Any]) -> dict[str, Any]:
    config = service["deploymentConfiguration"].get("deploymentCircuitBreaker") or {}
    if not config.get("enable"):
        return {"status": "DISABLED", "failureCount": 0, "threshold": 0}
    state = d.get("rolloutState")
    status = {"FAILED": "TRIGGERED", "COMPLETED": "MONITORING_COMPLETE"}.get(
        str(state), "MONITORING"
    )
    return {
        "status": status,
        "failureCount": int(d.get("failedTasks") or 0),
        "threshold": breaker_threshold(int(d["desiredCount"] or service["desiredCount"])),
    }


def record(unit: Unit, service: dict[str, Any], scheduler: SchedulerState | None) -> None:
    """Bring the service's deployments' history up to date (called on every save)."""
    current = list(service["deployments"])
    retired = list(scheduler.retired) if scheduler is not None else []
    seen: set[str] = set()
    # Oldest first, so a failed deployment is known before the rollback that follows it.
    for d in reversed(current + retired):
        if d["id"] in seen:
            continue
        seen.add(d["id"])
        _record_one(unit, service, d, current, current + retired)


def _record_one(
    unit: Unit,
    service: dict[str, Any],
    d: dict[str, Any],
    current: list[dict[str, Any]],
    everything: list[dict[str, Any]],
) -> None:
    doc = _load(unit, d["id"])
    now = unit.now
    if doc is None:
        reason = str(d.get("rolloutStateReason") or "")
        rolled_back = _rolled_back(unit, service, d)
        if (
            rolled_back is not None
            or reason.startswith(ROLLBACK_MARK)
            or reason == STOP_ROLLBACK_REASON
        ):
            _rolled_back_by(unit, service, d, everything, rolled_back)
            return
        sources = [_summary(service, o) for o in current if o["id"] != d["id"]]
        revision = _revision(service, d)
        revision["containerImages"] = _images(unit, d["taskDefinition"])
        unit.conn.execute(
            service_revisions.insert().values(
                arn=revision["serviceRevisionArn"],
                service_arn=service["serviceArn"],
                created_at=d["createdAt"],
                doc=revision,
            )
        )
        doc = {
            "serviceDeploymentArn": deployment_arn(service, d["id"]),
            "serviceArn": service["serviceArn"],
            "clusterArn": service["clusterArn"],
            "createdAt": d["createdAt"],
            "startedAt": d["createdAt"],
            "updatedAt": d["createdAt"],
            "sourceServiceRevisions": sources,
            "targetServiceRevision": _summary(service, d),
            "status": "IN_PROGRESS",
            "statusReason": f"ECS deployment {d['id']} in progress.",
            "deploymentConfiguration": service["deploymentConfiguration"],
            "_deploymentId": d["id"],
        }
        _write(unit, doc, insert=True)
        _purge(unit, now)
    if doc["status"].startswith("ROLLBACK") or doc["status"] in FINISHED:
        return
    before = dict(doc)
    doc["targetServiceRevision"] = _summary(service, d)
    doc["deploymentCircuitBreaker"] = _breaker(service, d)
    state = d.get("rolloutState")
    newer = current and current[0]["id"] != d["id"] and d.get("status") != "PRIMARY"
    if state == "COMPLETED":
        doc.update(status="SUCCESSFUL", finishedAt=d["updatedAt"])
        doc["statusReason"] = d.get("rolloutStateReason") or doc["statusReason"]
    elif state == "FAILED":
        doc.update(status="STOPPED", stoppedAt=d["updatedAt"], finishedAt=d["updatedAt"])
        doc["statusReason"] = d.get("rolloutStateReason") or "Service deployment failed."
    elif newer:
        doc.update(status="STOPPED", stoppedAt=now, finishedAt=now)
        # ecsd's own words.
        doc["statusReason"] = "Service deployment stopped: a newer deployment replaced it."
    if doc != before:
        doc["updatedAt"] = now
        _write(unit, doc, insert=False)


def _rolled_back(unit: Unit, service: dict[str, Any], d: dict[str, Any]) -> dict[str, Any] | None:
    """The service deployment that rollback deployment `d` is rolling back, once linked."""
    c = service_deployments.c
    row = unit.conn.execute(
        select(c.doc).where(
            c.service_arn == service["serviceArn"], c.doc["_rollbackId"].as_string() == d["id"]
        )
    ).first()
    return None if row is None else dict(row.doc)


def _rolled_back_by(
    unit: Unit,
    service: dict[str, Any],
    d: dict[str, Any],
    known: list[dict[str, Any]],
    doc: dict[str, Any] | None,
) -> None:
    """A rollback deployment `d`: its state is the failed deployment's ROLLBACK_*
    (`known`: the service's deployments, current and retired, newest first)."""
    if doc is None:
        failed = next(
            (o for o in known if o["id"] != d["id"] and o.get("rolloutState") == "FAILED"),
            None,
        )
        doc = _load(unit, failed["id"]) if failed else None
    if doc is None:
        return  # the deployment it rolls back is gone (older than 90 days)
    state = d.get("rolloutState")
    status = {
        "COMPLETED": "ROLLBACK_SUCCESSFUL",
        "FAILED": "ROLLBACK_FAILED",
    }.get(str(state), "ROLLBACK_IN_PROGRESS")
    if doc["status"] == status and doc.get("_rollbackId") == d["id"]:
        return
    if doc.get("_rollbackId") != d["id"]:
        # Written once, when the rollback starts: the deployment's reason changes later.
        doc["rollback"] = {
            "reason": str(d.get("rolloutStateReason") or ""),
            "startedAt": d["createdAt"],
            "serviceRevisionArn": _rolled_back_to(service, d, doc),
        }
    doc.update(status=status, updatedAt=unit.now, _rollbackId=d["id"])
    doc.pop("stoppedAt", None)
    if status != "ROLLBACK_IN_PROGRESS":
        doc["finishedAt"] = d["updatedAt"]
        doc["statusReason"] = d.get("rolloutStateReason") or doc["statusReason"]
    else:
        doc.pop("finishedAt", None)
    _write(unit, doc, insert=False)


def _rolled_back_to(service: dict[str, Any], d: dict[str, Any], doc: dict[str, Any]) -> str:
    """The revision a rollback returns to: the circuit breaker names the deployment it
    goes back to ("... rolling back to deploymentId <id>."); a requested rollback returns
    to the revision the stopped deployment replaced."""
    m = _BACK_TO.search(str(d.get("rolloutStateReason") or ""))
    if m:
        return revision_arn(service, m.group(1))
    sources = doc.get("sourceServiceRevisions") or []
    return str(sources[0]["arn"]) if sources else ""


def _purge(unit: Unit, now: float) -> None:
    cutoff = now - KEPT_SECONDS
    unit.conn.execute(delete(service_deployments).where(service_deployments.c.created_at < cutoff))
    unit.conn.execute(delete(service_revisions).where(service_revisions.c.created_at < cutoff))


# -- reads ---------------------------------------------------------------------------------
def view(doc: dict[str, Any]) -> dict[str, Any]:
    """A stored service deployment as the API shows it (ecsd's bookkeeping left out)."""
    return {k: v for k, v in doc.items() if not k.startswith("_")}


def find(unit: Unit, arn: str) -> dict[str, Any] | None:
    row = unit.conn.execute(
        select(service_deployments.c.doc).where(service_deployments.c.arn == arn)
    ).first()
    return None if row is None else dict(row.doc)


def find_revision(unit: Unit, arn: str) -> dict[str, Any] | None:
    row = unit.conn.execute(
        select(service_revisions.c.doc).where(service_revisions.c.arn == arn)
    ).first()
    return None if row is None else dict(row.doc)


def listing(
    unit: Unit,
    service_arn: str,
    *,
    statuses: list[str] | None = None,
    after: float | None = None,
    before: float | None = None,
) -> Keyset:
    """A service's deployments, newest first, for the caller to page. Only those of the
    last 90 days exist."""
    c = service_deployments.c
    q = select(c.arn, c.doc, c.created_at).where(c.service_arn == service_arn)
    if statuses:
        q = q.where(c.status.in_(statuses))
    if after is not None:
        q = q.where(c.created_at >= after)
    if before is not None:
        q = q.where(c.created_at <= before)
    return Keyset(q.order_by(c.created_at.desc(), c.arn.desc()), [c.created_at, c.arn])


def mark_rollback_requested(unit: Unit, doc: dict[str, Any]) -> None:
    doc.update(status="ROLLBACK_REQUESTED", updatedAt=unit.now)
    _write(unit, doc, insert=False)

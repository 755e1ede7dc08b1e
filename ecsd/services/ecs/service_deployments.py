"""The service deployments API: ListServiceDeployments, DescribeServiceDeployments,
DescribeServiceRevisions, StopServiceDeployment.

The records are model/ecs/service_deployments.py's, kept from the deployments the
scheduler runs; here they are listed, described with their live task counts, and a
deployment in progress can be rolled back (stopType ROLLBACK: a new deployment of the
revision it replaced, which the scheduler rolls out as it rolls back for the circuit
breaker).
"""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.ecs import service_deployments as model
from ...model.ecs import services as service_model
from .. import pagination
from . import clusters
from .api import ecs

# ECS API reference: DescribeServiceDeployments takes up to 20 ARNs, as does
# DescribeServiceRevisions; ListServiceDeployments pages up to 100 (default 20).
MAX_DESCRIBED = 20
LIST_DEFAULT, LIST_MAX = 20, 100
IN_FLIGHT = ("PENDING", "IN_PROGRESS")


@ecs.operation("ListServiceDeployments")
def list_service_deployments(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    cluster = clusters.load(ctx, p.get("cluster"))
    service, _ = service_model.load(ctx, cluster["clusterArn"], p["service"])
    created = p.get("createdAt") or {}
    q, key = model.listing(
        ctx,
        service["serviceArn"],
        statuses=p.get("status"),
        after=created.get("after"),
        before=created.get("before"),
    )
    rows, token = pagination.keyset_page(
        ctx.conn, q, key, p, default=LIST_DEFAULT, maximum=LIST_MAX, descending=True
    )
    briefs = []
    for r in rows:
        d = r.doc
        brief = {
            k: d[k]
            for k in (
                "serviceDeploymentArn",
                "serviceArn",
                "clusterArn",
                "startedAt",
                "createdAt",
                "finishedAt",
                "status",
                "statusReason",
            )
            if k in d
        }
        brief["targetServiceRevisionArn"] = d["targetServiceRevision"]["arn"]
        briefs.append(brief)
    return pagination.result("serviceDeployments", briefs, token)


def _counted(ctx: Context, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The deployments with each revision's running and pending tasks as they are now."""
    out = []
    for doc in docs:
        found = service_model.find(ctx, doc["serviceArn"])
        counts = service_model.task_counts(ctx, [found[0]]) if found else {}
        view = model.view(doc)
        view["targetServiceRevision"] = _with_counts(view["targetServiceRevision"], counts)
        view["sourceServiceRevisions"] = [
            _with_counts(s, counts) for s in view["sourceServiceRevisions"]
        ]
        out.append(view)
    return out


def _with_counts(summary: dict[str, Any], counts: dict[str, dict[str, int]]) -> dict[str, Any]:
    # A revision's tasks are its deployment's (tasks are startedBy the deployment id).
    c = counts.get("ecs-svc/" + summary["arn"].rsplit("/", 1)[-1], {"running": 0, "pending": 0})
    return {**summary, "runningTaskCount": c["running"], "pendingTaskCount": c["pending"]}


def _arns(p: dict[str, Any], member: str) -> list[str]:
    refs = p[member]
    if not refs:
        # ecsd's own words (as DescribeTasks' "Tasks cannot be empty.").
        raise AwsError("InvalidParameterException", f"{member} cannot be empty.")
    if len(refs) > MAX_DESCRIBED:
        raise AwsError("InvalidParameterException", f"{member} can have at most 20 items.")
    return list(refs)


@ecs.operation("DescribeServiceDeployments")
def describe_service_deployments(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    found, failures = [], []
    for arn in _arns(p, "serviceDeploymentArns"):
        doc = model.find(ctx, arn)
        if doc is None:
            failures.append({"arn": arn, "reason": "MISSING"})
        else:
            found.append(doc)
    return {"serviceDeployments": _counted(ctx, found), "failures": failures}


@ecs.operation("DescribeServiceRevisions")
def describe_service_revisions(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    found, failures = [], []
    for arn in _arns(p, "serviceRevisionArns"):
        doc = model.find_revision(ctx, arn)
        if doc is None:
            failures.append({"arn": arn, "reason": "MISSING"})
        else:
            found.append(doc)
    return {"serviceRevisions": found, "failures": failures}


@ecs.operation("StopServiceDeployment", write=True)
def stop_service_deployment(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    arn = p["serviceDeploymentArn"]
    doc = model.find(ctx, arn)
    if doc is None:
        raise AwsError("ServiceDeploymentNotFoundException", "Service deployment not found.")
    if (p.get("stopType") or "ROLLBACK") != "ROLLBACK":
        # ecsd's own words: ABORT applies to other deployment strategies.
        raise AwsError(
            "InvalidParameterException",
            "Only stopType ROLLBACK is supported for a rolling update deployment.",
        )
    if doc["status"] not in IN_FLIGHT:
        # ecsd's own words.
        raise AwsError(
            "ConflictException",
            f"The service deployment is {doc['status']}; only a deployment in progress can "
            "be stopped.",
        )
    found = service_model.find(ctx, doc["serviceArn"])
    if found is None:
        raise AwsError("ServiceDeploymentNotFoundException", "Service deployment not found.")
    service, scheduler = found
    primary = service["deployments"][0]
    sources = doc["sourceServiceRevisions"]
    back_to = model.find_revision(ctx, sources[0]["arn"]) if sources else None
    if primary["id"] != doc["_deploymentId"] or back_to is None:
        raise AwsError(
            "ConflictException",
            "The service deployment has no earlier service revision to roll back to.",
        )
    # ecsd's own words.
    primary.update(
        rolloutState="FAILED",
        updatedAt=ctx.now,
        rolloutStateReason="Service deployment stopped on request: rolling back.",
    )
    model.mark_rollback_requested(ctx, doc)
    back = service_model.new_deployment(ctx, service, scheduler, back_to["taskDefinition"])
    back["rolloutStateReason"] = model.STOP_ROLLBACK_REASON
    service_model.save(ctx, service, scheduler)
    return {"serviceDeploymentArn": arn}

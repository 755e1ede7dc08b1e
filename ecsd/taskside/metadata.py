"""The task metadata endpoint's JSON (v4, and v3 which is v4 without Networks' extras),
made from the task as DescribeTasks shows it plus what the engine says of each container.

Pure functions: `task_json` and `container_json` take the task document, its runtime
record (the container definitions) and the engine's view of each container. Shapes and
field names follow AWS's "Task metadata endpoint version 4" examples for Fargate.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..runtime.base import ContainerState

Doc = dict[str, Any]
# ECS's container labels, which the metadata endpoint lists under Labels.
LABELS = (
    ("com.amazonaws.ecs.cluster", "cluster"),
    ("com.amazonaws.ecs.container-name", "container"),
    ("com.amazonaws.ecs.task-arn", "task"),
    ("com.amazonaws.ecs.task-definition-family", "family"),
    ("com.amazonaws.ecs.task-definition-version", "revision"),
)


def _iso(epoch: float | None) -> str | None:
    if not epoch:
        return None
    # The endpoint writes RFC 3339 with nanoseconds; microseconds are what we have.
    return dt.datetime.fromtimestamp(float(epoch), dt.UTC).isoformat().replace("+00:00", "Z")


def _status(value: str | None, state: ContainerState | None) -> str:
    # The engine is ahead of the store for a moment after a start: the container asking
    # is running even before the task's RUNNING is written, as the agent would know.
    if state is not None and state.running:
        return "RUNNING"
    if state is not None and state.started_at:
        return "STOPPED"
    return value or "PENDING"


def _networks(doc: Doc, rt: Doc, *, v4: bool) -> list[Doc]:
    ip = rt.get("ip") or ""
    net: Doc = {"NetworkMode": "awsvpc", "IPv4Addresses": [ip] if ip else []}
    if v4:
        details = {
            d["name"]: d["value"] for a in doc.get("attachments") or [] for d in a["details"]
        }
        net.update(
            AttachmentIndex=0,
            MACAddress=details.get("macAddress") or rt.get("mac") or "",
            IPv4SubnetCIDRBlock=rt.get("subnet") or "",
            PrivateDNSName=details.get("privateDnsName")
            or (f"ip-{ip.replace('.', '-')}.ec2.internal" if ip else ""),
            SubnetGatewayIpv4Address=rt.get("gateway") or "",
        )
    return [net]


def container_json(
    doc: Doc,
    rt: Doc,
    name: str,
    state: ContainerState | None,
    *,
    cluster: str,
    v4: bool = True,
) -> Doc:
    shown = next(c for c in doc["containers"] if c["name"] == name)
    definition = next(d for d in rt["containers"] if d["name"] == name)
    task_arn = doc["taskArn"]
    values = {
        "cluster": cluster,
        "container": name,
        "task": task_arn,
        "family": rt["family"],
        "revision": str(rt["revision"]),
    }
    limits: Doc = {"CPU": int(definition.get("cpu") or 0)}
    if definition.get("memory"):
        limits["Memory"] = int(definition["memory"])
    out: Doc = {
        "DockerId": state.id if state else shown.get("runtimeId", ""),
        "Name": name,
        "DockerName": state.name.lstrip("/") if state else "",
        "Image": definition["image"],
        "ImageID": (state.image_id if state else "") or shown.get("imageDigest", ""),
        "Labels": {k: values[v] for k, v in LABELS} | (definition.get("dockerLabels") or {}),
        "DesiredStatus": doc.get("desiredStatus", "RUNNING"),
        "KnownStatus": _status(shown.get("lastStatus"), state),
        "Limits": limits,
        "Type": "NORMAL",
        "ContainerARN": shown.get("containerArn", ""),
        "Networks": _networks(doc, rt, v4=v4),
    }
    if state is not None:
        if state.started_at:
            out["StartedAt"] = _iso(state.started_at)
        if state.finished_at and not state.running:
            out["FinishedAt"] = _iso(state.finished_at)
        if state.exit_code is not None and not state.running:
            out["ExitCode"] = state.exit_code
    if shown.get("healthStatus") and definition.get("healthCheck"):
        out["Health"] = {"status": shown["healthStatus"]}
    if (definition.get("restartPolicy") or {}).get("enabled"):
        out["RestartCount"] = int((rt.get("restartCounts") or {}).get(name, 0))
    log = definition.get("logConfiguration") or {}
    if log:
        out["LogDriver"] = log.get("logDriver", "")
        out["LogOptions"] = dict(log.get("options") or {})
    created = doc.get("createdAt")
    if created:
        out["CreatedAt"] = _iso(created)
    return out


def _task_status(doc: Doc, rt: Doc, states: dict[str, ContainerState]) -> str:
    known = str(doc.get("lastStatus", "PENDING"))
    if known in ("PENDING", "ACTIVATING") and all(
        d["name"] in states and states[d["name"]].running for d in rt["containers"]
    ):
        return "RUNNING"
    return known


def task_json(
    doc: Doc,
    rt: Doc,
    states: dict[str, ContainerState],
    *,
    cluster: str,
    v4: bool = True,
) -> Doc:
    limits: Doc = {}
    if doc.get("cpu"):
        limits["CPU"] = int(doc["cpu"]) / 1024  # vCPUs, as the endpoint writes them
    if doc.get("memory"):
        limits["Memory"] = int(doc["memory"])
    out: Doc = {
        "Cluster": cluster,
        "TaskARN": doc["taskArn"],
        "Family": rt["family"],
        "Revision": str(rt["revision"]),
        "DesiredStatus": doc.get("desiredStatus", "RUNNING"),
        "KnownStatus": _task_status(doc, rt, states),
        "Limits": limits,
        "PullStartedAt": _iso(doc.get("pullStartedAt")),
        "PullStoppedAt": _iso(doc.get("pullStoppedAt")),
        "AvailabilityZone": doc.get("availabilityZone", ""),
        "LaunchType": doc.get("launchType", "FARGATE"),
        "Containers": [
            container_json(doc, rt, d["name"], states.get(d["name"]), cluster=cluster, v4=v4)
            for d in rt["containers"]
        ],
    }
    if doc.get("startedAt") or doc.get("executionStoppedAt"):
        out["ExecutionStoppedAt"] = _iso(doc.get("executionStoppedAt"))
    if doc.get("launchType", "FARGATE") == "FARGATE":
        out["ClockDrift"] = {
            "ClockErrorBound": 0.5,
            "ReferenceTimestamp": _iso(doc.get("startedAt") or doc.get("createdAt")),
            "ClockSynchronizationStatus": "SYNCHRONIZED",
        }
        out["EphemeralStorageMetrics"] = {"Utilized": 0, "Reserved": 20496}
    return {k: v for k, v in out.items() if v is not None}

"""A service task's targets in its load balancers' target groups (reference §4.8).

ECS registers each task of a service that has `loadBalancers` as a target (Id = the
task's private IP, Port = the containerPort) while the task comes up, and deregisters it
— letting the target drain — before its containers are signalled. Here both happen in the
task controller's own status writes (the move to RUNNING, the move to DEACTIVATING), in the
same transaction: a crash can never leave a running task unregistered or a stopping one
still receiving traffic, and a restart never registers anything twice.

What was registered is remembered in the task's runtime record (`rt["targets"]`), so that
deregistration, the drain and the scheduler's health look-ups use exactly those targets,
even if the service's loadBalancers changed meanwhile. Tasks started by RunTask are never
registered, as on AWS. The ELBv2 side is only reached through model/elbv2's named
functions.
"""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy import select

from ...aws.errors import AwsError
from ...store.schema.ecs_tasks import tasks
from ..elbv2 import targets as elb_targets
from . import arns, service_events
from . import services as service_model

log = logging.getLogger(__name__)

Doc = dict[str, Any]
# (target group ARN, target id, port) as registered.
Registration = tuple[str, str, int]


def registered(rt: Doc) -> list[Registration]:
    return [(str(g), str(i), int(p)) for g, i, p in rt.get("targets") or []]


def _service(unit: Any, doc: Doc) -> tuple[Doc, Any] | None:
    arn = arns.service_of_task(doc["clusterArn"], doc.get("group") or "")
    if arn is None or not doc.get("startedBy"):
        return None  # RunTask (even with a group of its own): never registered
    return service_model.find(unit, arn)


def register(unit: Any, doc: Doc, rt: Doc) -> None:
    """The task reached RUNNING: register it in each of its service's target groups (a
    no-op for RunTask tasks and for services without loadBalancers)."""
    if rt.get("targets") is not None:
        return  # registered already (the move is written once; this is belt and braces)
    found = _service(unit, doc)
    ip = rt.get("ip")
    if found is None or not ip:
        return
    service, state = found
    made: list[Registration] = []
    # A task set's task goes into the task set's own target groups (task_sets.py).
    balancers = service.get("loadBalancers") or []
    for task_set in service.get("taskSets") or []:
        if task_set["id"] == doc.get("startedBy"):
            balancers = task_set.get("loadBalancers") or []
    for lb in balancers:
        group, port = lb.get("targetGroupArn"), lb.get("containerPort")
        if not group or port is None:
            continue  # a classic load balancer (loadBalancerName): nothing ecsd serves
        try:
            elb_targets.register(unit, group, [(ip, int(port), None)])
        except AwsError as exc:  # the target group was deleted since CreateService
            log.warning("task %s not registered in %s: %s", doc["taskArn"], group, exc.message)
            continue
        made.append((group, ip, int(port)))
        service_events.add(
            service,
            service_events.registered_targets(service["serviceName"], group, 1),
            unit.now,
            dedupe=False,
        )
    rt["targets"] = [list(r) for r in made]
    if made:
        service_model.save(unit, service, state)


def deregister(unit: Any, doc: Doc, rt: Doc) -> None:
    """The task is DEACTIVATING: deregister its targets, which start draining (the drain
    hook then waits until they are gone)."""
    done = registered(rt)
    if not done or rt.get("deregistered"):
        return
    for group, ip, port in done:
        try:
            elb_targets.deregister(unit, group, [(ip, port)])
        except AwsError as exc:  # the target group is gone: so is the target
            log.info("task %s: deregistering from %s: %s", doc["taskArn"], group, exc.message)
    rt["deregistered"] = True
    found = _service(unit, doc)
    if found is None:
        return
    service, state = found
    name = service["serviceName"]
    for group in dict.fromkeys(g for g, _i, _p in done):
        n = sum(1 for g, _i, _p in done if g == group)
        service_events.add(
            service, service_events.deregistered_targets(name, group, n), unit.now, dedupe=False
        )
    in_set = doc.get("startedBy") in {s["id"] for s in service.get("taskSets") or []}
    message = service_events.draining(name, 1, doc["startedBy"] if in_set else None)
    service_events.add(service, message, unit.now, dedupe=False)
    service_model.save(unit, service, state)


def draining(unit: Any, rt: Doc) -> bool:
    """Whether any of the task's targets is still draining (requests may reach it)."""
    for group, ip, port in registered(rt):
        state, _reason, _description = elb_targets.health(unit, group, ip, port)
        if state == "draining":
            return True
    return False


def health(unit: Any, rt: Doc) -> list[tuple[Registration, str, str | None, str | None]]:
    """Each registered target of the task with its (state, reason, description)."""
    out = []
    for reg in registered(rt):
        state, reason, description = elb_targets.health(unit, *reg)
        out.append((reg, state, reason, description))
    return out


def addresses(unit: Any) -> dict[tuple[str, int], tuple[str, int, str]]:
    """(private IP, containerPort) → (host, hostPort, task ARN) of every task not STOPPED:
    where the
    load balancer really connects to reach a target registered by the task's IP (ecsd
    publishes each container port on the host, which also works where container IPs are
    not reachable from the host). A binding on every interface is dialled on loopback."""
    out: dict[tuple[str, int], tuple[str, int, str]] = {}
    rows = unit.conn.execute(
        select(tasks.c.arn, tasks.c.doc, tasks.c.runtime).where(tasks.c.last_status != "STOPPED")
    )
    for row in rows:
        ip = (row.runtime or {}).get("ip")
        if not ip:
            continue
        for c in row.doc.get("containers") or []:
            for b in c.get("networkBindings") or []:
                host = b.get("bindIP") or "127.0.0.1"
                if host in ("0.0.0.0", "::", ""):
                    host = "127.0.0.1"
                out[(ip, int(b["containerPort"]))] = (host, int(b["hostPort"]), row.arn)
    return out


def task_draining(unit: Any, task_arn: str) -> bool:
    """Whether the task of this ARN still has a target draining (the drain hook's look)."""
    row = unit.conn.execute(select(tasks.c.runtime).where(tasks.c.arn == task_arn)).first()
    return row is not None and draining(unit, dict(row.runtime or {}))

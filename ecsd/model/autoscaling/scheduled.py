"""Scheduled actions: a target's new MinCapacity / MaxCapacity at the times a schedule
expression (schedules.py) names. The next run time is stored as a column, recomputed
whenever the action is put or runs, so the scaling controller finds what is due with one
indexed query and a restart loses nothing (a run missed while ecsd was down happens
once when it is back)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import delete, select, update

from ...aws.errors import AwsError
from ...core.unit import Unit
from ...store.schema.autoscaling import aas_scheduled
from ..keyset import Keyset
from . import schedules
from .targets import Key, named_listing


def _where(unit: Unit, key: Key) -> list[Any]:
    return key.rows_of(aas_scheduled, unit.region)


def get(unit: Unit, key: Key, name: str) -> dict[str, Any] | None:
    row = unit.conn.execute(
        select(aas_scheduled.c.doc).where(*_where(unit, key), aas_scheduled.c.name == name)
    ).first()
    return dict(row.doc) if row is not None else None


def next_run(doc: dict[str, Any], after: float) -> float | None:
    schedule = schedules.parse(doc["Schedule"])
    return schedules.next_time(
        schedule,
        schedules.zone(doc.get("Timezone")),
        after,
        base=doc.get("StartTime") or doc["CreationTime"],
        start=doc.get("StartTime"),
        end=doc.get("EndTime"),
    )


def put(unit: Unit, key: Key, name: str, p: dict[str, Any]) -> dict[str, Any]:
    old = get(unit, key, name)
    doc: dict[str, Any] = (
        dict(old)
        if old
        else {
            "ScheduledActionName": name,
            "ScheduledActionARN": unit.arn(
                "autoscaling",
                f"scheduledAction:{uuid.uuid4()}:resource/{key.namespace}/{key.resource_id}"
                f":scheduledActionName/{name}",
            ),
            "ServiceNamespace": key.namespace,
            "ResourceId": key.resource_id,
            "ScalableDimension": key.dimension,
            "CreationTime": unit.now,
        }
    )
    for k in ("Schedule", "Timezone", "StartTime", "EndTime", "ScalableTargetAction"):
        if p.get(k) is not None:
            doc[k] = p[k]
    if not doc.get("Schedule"):
        # ecsd's own text.
        raise AwsError("ValidationException", "Schedule is required for a new scheduled action.")
    action = doc.get("ScalableTargetAction") or {}
    if action.get("MinCapacity") is None and action.get("MaxCapacity") is None:
        # AWS's text.
        raise AwsError(
            "ValidationException",
            "At least one of minimum capacity and maximum capacity should be provided",
        )
    if (
        action.get("MinCapacity") is not None
        and action.get("MaxCapacity") is not None
        and action["MinCapacity"] > action["MaxCapacity"]
    ):
        # ecsd's wording (AWS's is not documented).
        raise AwsError(
            "ValidationException", "Minimum capacity cannot be greater than maximum capacity"
        )
    try:
        due = next_run(doc, unit.now)
    except schedules.ScheduleError as exc:
        # ecsd's own text (AWS's wording is not documented).
        raise AwsError("ValidationException", f"Invalid schedule expression: {exc}") from None
    if old is None:
        unit.conn.execute(
            key.insert_into(
                aas_scheduled,
                unit.region,
                name=name,
                next_run=due,
                doc=doc,
            )
        )
    else:
        _save(unit, doc, due)
    return doc


def _save(unit: Unit, doc: dict[str, Any], due: float | None) -> None:
    unit.conn.execute(
        update(aas_scheduled)
        .where(
            *_where(
                unit, Key(doc["ServiceNamespace"], doc["ResourceId"], doc["ScalableDimension"])
            ),
            aas_scheduled.c.name == doc["ScheduledActionName"],
        )
        .values(doc=doc, next_run=due)
    )


def advance(unit: Unit, doc: dict[str, Any]) -> None:
    """The action ran now: its next run."""
    _save(unit, doc, next_run(doc, unit.now))


def remove(unit: Unit, key: Key, name: str | None = None) -> int:
    q = delete(aas_scheduled).where(*_where(unit, key))
    if name is not None:
        q = q.where(aas_scheduled.c.name == name)
    return int(unit.conn.execute(q).rowcount or 0)


def due(unit: Unit) -> list[dict[str, Any]]:
    """The region's actions whose run time has come, oldest first."""
    c = aas_scheduled.c
    rows = unit.conn.execute(
        select(c.doc)
        .where(c.region == unit.region, c.next_run.is_not(None), c.next_run <= unit.now)
        .order_by(c.next_run)
    )
    return [dict(r.doc) for r in rows]


def next_due(unit: Unit) -> float | None:
    """The earliest next run of any region's action."""
    c = aas_scheduled.c
    row = unit.conn.execute(
        select(c.next_run).where(c.next_run.is_not(None)).order_by(c.next_run)
    ).first()
    return None if row is None else float(row.next_run)


def regions_due(unit: Unit) -> list[str]:
    c = aas_scheduled.c
    rows = unit.conn.execute(
        select(c.region).where(c.next_run.is_not(None), c.next_run <= unit.now).distinct()
    )
    return [r.region for r in rows]


def listing(unit: Unit, namespace: str, p: dict[str, Any]) -> Keyset:
    return named_listing(unit, aas_scheduled, namespace, p, "ScheduledActionNames")

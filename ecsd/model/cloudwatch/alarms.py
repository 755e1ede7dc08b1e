"""CloudWatch alarms: the stored MetricAlarm documents, their state and their history.

An alarm is one row: its name, state and actions switch as columns (DescribeAlarms
filters on them) and the whole MetricAlarm document as DescribeAlarms answers it (times
as epoch seconds). Tags ride in the document under `_Tags` and are never shown.

A state change (`set_state`, by evaluation or SetAlarmState) writes a StateUpdate history
item with AWS's summary and JSON data and records `AlarmStateChanged` on the unit, which
the bus publishes once the write has committed: scaling policies act on that event.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Row, insert, select, update
from sqlalchemy import delete as sql_delete

from ...core.bus import AlarmStateChanged
from ...core.unit import Unit
from ...store.schema.cloudwatch import cw_alarm_history, cw_alarms

OK, ALARM, INSUFFICIENT_DATA = "OK", "ALARM", "INSUFFICIENT_DATA"
STATES = (OK, ALARM, INSUFFICIENT_DATA)
INITIAL_REASON = "Unchecked: Initial alarm creation"
HISTORY_RETENTION = 14 * 24 * 3600.0  # AWS keeps alarm history two weeks
PRIVATE = ("_Tags",)


def arn(unit: Unit, name: str) -> str:
    return unit.arn("cloudwatch", f"alarm:{name}")


def get(unit: Unit, name: str) -> dict[str, Any] | None:
    """The alarm's document (with `_Tags`), or None."""
    row = _row(unit, name)
    return dict(row.doc) if row is not None else None


def public(doc: dict[str, Any]) -> dict[str, Any]:
    """The document as the API shows it."""
    return {k: v for k, v in doc.items() if k not in PRIVATE}


def _row(unit: Unit, name: str) -> Row[Any] | None:
    a = cw_alarms.c
    return unit.conn.execute(
        select(cw_alarms).where(a.region == unit.region, a.name == name)
    ).first()


def put_alarm(unit: Unit, doc: dict[str, Any]) -> dict[str, Any]:
    """Create the alarm `doc` describes, or replace an existing one's configuration (its
    state is kept, as on AWS): the stored document. `doc` holds the configuration members
    of MetricAlarm (AlarmName, MetricName, Namespace, Statistic, Period, Threshold,
    ComparisonOperator, EvaluationPeriods, AlarmActions ARNs, …) and optionally `_Tags`."""
    name = doc["AlarmName"]
    row = _row(unit, name)
    stored = dict(doc)
    stored.setdefault("ActionsEnabled", True)
    for key in ("OKActions", "AlarmActions", "InsufficientDataActions", "Dimensions"):
        stored.setdefault(key, [])
    stored["AlarmArn"] = arn(unit, name)
    stored["AlarmConfigurationUpdatedTimestamp"] = unit.now
    if row is None:
        stored.update(
            StateValue=INSUFFICIENT_DATA,
            StateReason=INITIAL_REASON,
            StateUpdatedTimestamp=unit.now,
            StateTransitionedTimestamp=unit.now,
        )
        stored.setdefault("_Tags", [])
        unit.conn.execute(
            insert(cw_alarms).values(
                region=unit.region,
                name=name,
                state=INSUFFICIENT_DATA,
                actions_enabled=int(bool(stored["ActionsEnabled"])),
                doc=stored,
            )
        )
        summary = f'Alarm "{name}" created'
    else:
        old = dict(row.doc)
        for key in (
            "StateValue",
            "StateReason",
            "StateReasonData",
            "StateUpdatedTimestamp",
            "StateTransitionedTimestamp",
        ):
            if key in old:
                stored[key] = old[key]
        if "_Tags" not in doc:
            stored["_Tags"] = old.get("_Tags", [])
        _write(unit, row, stored)
        summary = f'Alarm "{name}" updated'
    history(
        unit,
        name,
        "ConfigurationUpdate",
        summary,
        {"version": "1.0", "type": "Update" if row else "Create", "updatedAlarm": public(stored)},
    )
    return stored


def _write(unit: Unit, row: Row[Any], doc: dict[str, Any]) -> None:
    unit.conn.execute(
        update(cw_alarms)
        .where(cw_alarms.c.id == row.id)
        .values(state=doc["StateValue"], actions_enabled=int(bool(doc["ActionsEnabled"])), doc=doc)
    )


def replace(unit: Unit, doc: dict[str, Any]) -> None:
    """Store a changed document of an existing alarm as it is (tags, actions switch)."""
    row = _row(unit, doc["AlarmName"])
    if row is not None:
        _write(unit, row, doc)


def delete_alarms(unit: Unit, names: Sequence[str]) -> list[str]:
    """Delete the named alarms that exist (and their history): the names deleted."""
    a = cw_alarms.c
    found = [
        r.name
        for r in unit.conn.execute(
            select(a.name).where(a.region == unit.region, a.name.in_(list(names)))
        )
    ]
    if found:
        unit.conn.execute(sql_delete(cw_alarms).where(a.region == unit.region, a.name.in_(found)))
        h = cw_alarm_history.c
        unit.conn.execute(
            sql_delete(cw_alarm_history).where(h.region == unit.region, h.alarm_name.in_(found))
        )
    return found


# The brief's stable name for the deletion.
delete = delete_alarms


def set_state(
    unit: Unit,
    name: str,
    new: str,
    reason: str,
    reason_data: dict[str, Any] | str | None = None,
) -> bool:
    """Move the alarm to `new` with `reason`: True if its state changed (then a history
    item is written and AlarmStateChanged recorded). The same state only refreshes
    StateUpdatedTimestamp and the reason, as evaluation does on AWS."""
    row = _row(unit, name)
    if row is None:
        return False
    doc = dict(row.doc)
    old = doc["StateValue"]
    old_reason = doc.get("StateReason", "")
    data_text = (
        json.dumps(reason_data, separators=(",", ":"))
        if isinstance(reason_data, dict)
        else reason_data
    )
    doc["StateValue"] = new
    doc["StateReason"] = reason
    if data_text is not None:
        doc["StateReasonData"] = data_text
    else:
        doc.pop("StateReasonData", None)
    doc["StateUpdatedTimestamp"] = unit.now
    changed = old != new
    if changed:
        doc["StateTransitionedTimestamp"] = unit.now
    _write(unit, row, doc)
    if changed:
        new_state: dict[str, Any] = {"stateValue": new, "stateReason": reason}
        if isinstance(reason_data, dict):
            new_state["stateReasonData"] = reason_data
        history(
            unit,
            name,
            "StateUpdate",
            f"Alarm updated from {old} to {new}",
            {
                "version": "1.0",
                "oldState": {"stateValue": old, "stateReason": old_reason},
                "newState": new_state,
            },
        )
        unit.record(AlarmStateChanged(unit.region, name, old, new, reason))
    return changed


def history(unit: Unit, name: str, kind: str, summary: str, data: dict[str, Any]) -> None:
    """Add an item to the alarm's history (also for Action items written by whoever
    carried out an action)."""
    unit.conn.execute(
        insert(cw_alarm_history).values(
            region=unit.region,
            alarm_name=name,
            ts=unit.now,
            kind=kind,
            summary=summary,
            data=json.dumps(data, separators=(",", ":"), default=str),
        )
    )


def all_alarms(unit: Unit) -> list[dict[str, Any]]:
    """Every alarm of the unit's region (the evaluator's pass)."""
    a = cw_alarms.c
    rows = unit.conn.execute(select(a.doc).where(a.region == unit.region).order_by(a.name))
    return [dict(r.doc) for r in rows]


def regions(unit: Unit) -> list[str]:
    """The regions that have alarms."""
    return [r[0] for r in unit.conn.execute(select(cw_alarms.c.region).distinct())]


def sweep_history(unit: Unit) -> int:
    h = cw_alarm_history.c
    gone = unit.conn.execute(
        sql_delete(cw_alarm_history).where(h.ts < unit.now - HISTORY_RETENTION)
    ).rowcount
    return int(gone or 0)

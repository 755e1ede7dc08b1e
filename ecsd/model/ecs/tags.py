"""Tags on ECS resources: the rows behind TagResource and the tags given at creation,
written by the API (services/ecs/tags.py) and by the scheduler (a service's tasks)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import delete, select

from ...aws.errors import AwsError
from ...core.unit import Unit
from ...store.schema.ecs import tags

MAX_TAGS = 50


def get(unit: Unit, arn: str) -> list[dict[str, str]]:
    rows = unit.conn.execute(
        select(tags.c.key, tags.c.value).where(tags.c.arn == arn).order_by(tags.c.key)
    )
    return [{"key": r.key, "value": r.value} for r in rows]


def put(unit: Unit, arn: str, new: list[dict[str, Any]], *, reserved: bool = False) -> None:
    """Add or replace tags. `reserved` lets ECS itself write its `aws:` tags (managed
    tags on service tasks), which users may not."""
    current = {t["key"]: t["value"] for t in get(unit, arn)}
    for tag in new:
        key = tag.get("key")
        if not key:
            raise AwsError("InvalidParameterException", "Tag keys must not be empty.")
        if key.lower().startswith("aws:") and not reserved:
            raise AwsError(
                "InvalidParameterException",
                "Tag keys beginning with 'aws:' are reserved for AWS use.",
            )
        current[key] = tag.get("value") or ""
    if len(current) > MAX_TAGS:
        raise AwsError("InvalidParameterException", f"A resource can have at most {MAX_TAGS} tags.")
    unit.conn.execute(delete(tags).where(tags.c.arn == arn))
    if current:
        unit.conn.execute(
            tags.insert(), [{"arn": arn, "key": k, "value": v} for k, v in current.items()]
        )


def remove(unit: Unit, arn: str, keys: Iterable[str]) -> None:
    unit.conn.execute(delete(tags).where(tags.c.arn == arn, tags.c.key.in_(list(keys))))


def clear(unit: Unit, *arns: str) -> None:
    """Drop every tag of these resources (a resource replaced or purged)."""
    if arns:
        unit.conn.execute(delete(tags).where(tags.c.arn.in_(arns)))

"""Task definitions as the rest of ECS finds them (RunTask, services, the scheduler):
by family, `family:revision` or ARN."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import select

from ...aws.errors import AwsError
from ...core.unit import Unit
from ...store.schema.ecs import task_definitions as defs
from . import arns

_ARN = re.compile(r"^arn:aws[\w-]*:ecs:([\w-]+):(\d{12}):task-definition/(.+)$")
NOT_FOUND = "Unable to describe task definition."


def not_found(message: str = NOT_FOUND) -> AwsError:
    return AwsError("ClientException", message)


def parse(unit: Unit, ref: str) -> tuple[str, str | None] | None:
    """(family, revision text or None) of `family`, `family:revision` or an ARN of this
    region and account; None when `ref` is none of these."""
    m = _ARN.match(ref)
    if m is not None:
        if (m.group(1), m.group(2)) != (unit.region, unit.account):
            return None
        ref = m.group(3)
    elif ref.startswith("arn:"):
        return None
    family, colon, revision = ref.partition(":")
    if not arns.NAME.match(family):
        return None
    return family, revision if colon else None


def load(unit: Unit, ref: str) -> dict[str, Any]:
    """The stored definition for `family` (its latest ACTIVE revision), `family:revision`
    or an ARN — the forms every ECS API accepts. Any status for an explicit revision."""
    parsed = parse(unit, ref)
    if parsed is None or (parsed[1] is not None and not parsed[1].isdigit()):
        raise not_found()
    family, revision = parsed
    q = select(defs.c.doc).where(defs.c.region == unit.region, defs.c.family == family)
    if revision is None:
        q = q.where(defs.c.status == "ACTIVE").order_by(defs.c.revision.desc()).limit(1)
    else:
        q = q.where(defs.c.revision == int(revision))
    row = unit.conn.execute(q).first()
    if row is None:
        raise not_found()
    return dict(row.doc)

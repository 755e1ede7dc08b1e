"""EC2's tags: one table for every resource id (`ec2_tags`), what CreateTags,
DeleteTags, DescribeTags and every create call's `TagSpecifications` write and read.

Each kind of resource registers itself with `taggable(prefix, resource_type, exists)`
(the routing half does the same for its kinds), so CreateTags can tell an id that does
not exist (EC2's NotFound for its kind) and DescribeTags can name its `ResourceType`.
A resource's tags go with it: its delete calls `drop`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, insert, select

from ...aws.errors import AwsError
from ...core.unit import Unit
from ...store.schema.ec2 import ec2_tags
from . import ids
from .errors import invalid_value, not_found

MAX_TAGS = 50
MAX_KEY = 127
MAX_VALUE = 255


@dataclass(frozen=True)
class Kind:
    prefix: str
    resource_type: str  # as TagSpecifications and DescribeTags name it ("vpc", "security-group")
    exists: Callable[[Unit, str], bool]


_KINDS: dict[str, Kind] = {}


def taggable(prefix: str, resource_type: str, exists: Callable[[Unit, str], bool]) -> None:
    """Say that ids of `prefix` are EC2 resources of `resource_type` that can be tagged."""
    _KINDS[prefix] = Kind(prefix, resource_type, exists)


def resource_type(resource_id: str) -> str:
    kind = _KINDS.get(ids.kind(resource_id) or "")
    return kind.resource_type if kind else ""


def check_exists(unit: Unit, resource_id: str) -> None:
    prefix = ids.kind(resource_id)
    kind = _KINDS.get(prefix or "")
    if kind is None:
        # ecsd's own text: EC2 answers a malformed id with its kind's Malformed code.
        raise AwsError("InvalidID", f"The ID '{resource_id}' is not valid")
    if not kind.exists(unit, resource_id):
        raise not_found(kind.prefix, resource_id)


def _check(tags: Sequence[Mapping[str, Any]]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for t in tags:
        key, value = t.get("Key"), t.get("Value") or ""
        if not key:
            raise invalid_value("Tag key cannot be empty")  # ecsd's own text
        if len(key) > MAX_KEY:
            raise invalid_value(
                f"Tag key exceeds the maximum length of {MAX_KEY} characters"
            )  # ecsd's own text
        if len(value) > MAX_VALUE:
            raise invalid_value(
                f"Tag value exceeds the maximum length of {MAX_VALUE} characters"
            )  # ecsd's own text
        if key.lower().startswith("aws:"):
            raise invalid_value("Tag keys starting with 'aws:' are reserved for internal use")
        out.append((key, value))
    return out


def from_specifications(
    specs: Sequence[Mapping[str, Any]] | None, resource_type: str
) -> list[dict[str, str]]:
    """The tags a create call's `TagSpecifications` give the resource it makes (checked;
    a specification for another resource type is refused, as EC2 does)."""
    out: dict[str, str] = {}
    for spec in specs or []:
        given = spec.get("ResourceType")
        if given != resource_type:
            raise invalid_value(
                f"'{given}' is not a valid taggable resource type for this operation."
            )
        for key, value in _check(spec.get("Tags") or []):
            out[key] = value
    if len(out) > MAX_TAGS:
        raise _too_many()
    return [{"Key": k, "Value": v} for k, v in out.items()]


def _too_many() -> AwsError:
    return AwsError("TagLimitExceeded", f"The maximum number of tags per resource is {MAX_TAGS}")


def put(unit: Unit, resource_id: str, tags: Sequence[Mapping[str, Any]]) -> None:
    """Set `tags` on one resource (replacing the values of keys it has)."""
    checked = _check(tags)
    if not checked:
        return
    have = of(unit, [resource_id]).get(resource_id, {})
    merged = {**have, **dict(checked)}
    if len(merged) > MAX_TAGS:
        raise _too_many()
    keys = [k for k, _ in checked]
    unit.conn.execute(
        delete(ec2_tags).where(
            ec2_tags.c.region == unit.region,
            ec2_tags.c.resource == resource_id,
            ec2_tags.c.key.in_(keys),
        )
    )
    unit.conn.execute(
        insert(ec2_tags),
        [
            {"region": unit.region, "resource": resource_id, "key": k, "value": v}
            for k, v in dict(checked).items()
        ],
    )


def remove(unit: Unit, resource_id: str, tags: Sequence[Mapping[str, Any]] | None) -> None:
    """DeleteTags for one resource: every tag when `tags` is None or empty; else each
    listed key, only if its value is the one given (when one is given)."""
    cond = [ec2_tags.c.region == unit.region, ec2_tags.c.resource == resource_id]
    if not tags:
        unit.conn.execute(delete(ec2_tags).where(*cond))
        return
    for t in tags:
        q = delete(ec2_tags).where(*cond, ec2_tags.c.key == t.get("Key"))
        if t.get("Value") is not None:
            q = q.where(ec2_tags.c.value == t["Value"])
        unit.conn.execute(q)


def drop(unit: Unit, resource_id: str) -> None:
    """A resource is gone: so are its tags."""
    remove(unit, resource_id, None)


def of(unit: Unit, resource_ids: Iterable[str]) -> dict[str, dict[str, str]]:
    """Each resource's tags, key -> value."""
    wanted = list(resource_ids)
    out: dict[str, dict[str, str]] = defaultdict(dict)
    if not wanted:
        return out
    for chunk in range(0, len(wanted), 500):
        rows = unit.conn.execute(
            select(ec2_tags.c.resource, ec2_tags.c.key, ec2_tags.c.value).where(
                ec2_tags.c.region == unit.region,
                ec2_tags.c.resource.in_(wanted[chunk : chunk + 500]),
            )
        )
        for r in rows:
            out[r.resource][r.key] = r.value
    return out


def listed(tags: Mapping[str, str]) -> list[dict[str, str]]:
    """A tag map as EC2 lists it (`[{Key, Value}]`)."""
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def every(unit: Unit) -> list[dict[str, str]]:
    """Every tag of the region, as DescribeTags lists them (by resource, then key)."""
    rows = unit.conn.execute(
        select(ec2_tags)
        .where(ec2_tags.c.region == unit.region)
        .order_by(ec2_tags.c.resource, ec2_tags.c.key)
    )
    return [
        {
            "ResourceId": r.resource,
            "ResourceType": resource_type(r.resource),
            "Key": r.key,
            "Value": r.value,
        }
        for r in rows
    ]

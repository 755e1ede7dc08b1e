"""Tag, Untag and List…Tags for every taggable IAM entity (roles, managed policies,
instance profiles): one set of handlers over a table of how to load and save each."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ...aws.provider import Context
from ...model.iam import policies, profiles, roles
from ...model.iam import tags as model
from .api import iam

# (the entity's doc, a function that saves a new doc) for the entity the request names
Loaded = tuple[dict[str, Any], Callable[[dict[str, Any]], None]]


@dataclass(frozen=True)
class Taggable:
    kind: str  # IAM's word in the operation names: TagRole, ListPolicyTags, …
    key: str  # the request parameter naming the entity
    load: Callable[[Context, str, bool], Loaded]  # (ctx, key, for a write)


def _role(ctx: Context, name: str, _write: bool) -> Loaded:
    row = roles.get(ctx, name)
    return dict(row.doc), lambda doc: roles.save(ctx, row, doc)


def _policy(ctx: Context, arn: str, write: bool) -> Loaded:
    record = policies.own(ctx, arn) if write else policies.get(ctx, arn)
    return dict(record["doc"]), lambda doc: policies.save(ctx, doc, record["versions"])


def _profile(ctx: Context, name: str, _write: bool) -> Loaded:
    row = profiles.get(ctx, name)
    return dict(row.doc), lambda doc: profiles.save(ctx, row, doc)


TAGGABLE = (
    Taggable("Role", "RoleName", _role),
    Taggable("Policy", "PolicyArn", _policy),
    Taggable("InstanceProfile", "InstanceProfileName", _profile),
)


def _register(t: Taggable) -> None:
    def tag(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        doc, save = t.load(ctx, p[t.key], True)
        save({**doc, "Tags": model.merged(doc.get("Tags") or [], p["Tags"], t.kind)})
        return {}

    def untag(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        doc, save = t.load(ctx, p[t.key], True)
        save({**doc, "Tags": model.without(doc.get("Tags") or [], p["TagKeys"])})
        return {}

    def listed(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
        # At most 50 tags per entity: one page always holds them all.
        doc, _save = t.load(ctx, p[t.key], False)
        return {"Tags": doc.get("Tags") or [], "IsTruncated": False}

    iam.operation(f"Tag{t.kind}", write=True)(tag)
    iam.operation(f"Untag{t.kind}", write=True)(untag)
    iam.operation(f"List{t.kind}Tags")(listed)


for _t in TAGGABLE:
    _register(_t)

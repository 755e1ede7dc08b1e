"""Tags on repositories: TagResource, UntagResource, ListTagsForResource. The resource
is a repository ARN of this account and region; the tags are the repository row's."""

from __future__ import annotations

import re
from typing import Any

from ...aws.errors import clip
from ...aws.provider import Context
from ...model.ecr import repositories as model
from . import checks
from .api import invalid, operation

_ARN = re.compile(r"arn:aws[a-z-]*:ecr:([a-z0-9-]+):(\d{12}):repository/(.+)")


def _repository(ctx: Context, arn: str) -> Any:
    m = _ARN.fullmatch(arn)
    if m is None:
        # ecsd's own wording.
        raise invalid(
            f"Invalid parameter at 'resourceArn': '{clip(arn, 300)}' is not an ECR repository ARN."
        )
    region, account, name = m.groups()
    if region != ctx.region or account != ctx.account:
        raise invalid(
            f"Invalid parameter at 'resourceArn': '{clip(arn, 300)}' is not in this "
            f"region ({ctx.region}) and account ({ctx.account})."
        )
    return model.require(ctx, name)


@operation("TagResource", write=True)
def tag_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = _repository(ctx, p["resourceArn"])
    model.update(ctx, row.name, tags=checks.merged_tags(list(row.tags), p["tags"]))
    return {}


@operation("UntagResource", write=True)
def untag_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = _repository(ctx, p["resourceArn"])
    gone = set(p["tagKeys"])
    model.update(ctx, row.name, tags=[t for t in row.tags if t["Key"] not in gone])
    return {}


@operation("ListTagsForResource")
def list_tags_for_resource(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return {"tags": list(_repository(ctx, p["resourceArn"]).tags)}

"""Repository policies: Set / Get / DeleteRepositoryPolicy. The text is checked as an IAM
resource policy (checks.repository_policy) and stored as given; ecsd does not enforce it
(every caller of ecsd is the account's root)."""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.ecr import repositories as model
from . import checks
from .api import operation


def _not_found(ctx: Context, name: str) -> AwsError:
    return AwsError(
        "RepositoryPolicyNotFoundException",
        f"Repository policy does not exist for the repository with name '{name}' in the "
        f"registry with id '{ctx.account}'",
    )


def _answer(ctx: Context, name: str, text: str) -> dict[str, Any]:
    return {"registryId": ctx.account, "repositoryName": name, "policyText": text}


@operation("SetRepositoryPolicy", write=True)
def set_repository_policy(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = model.require(ctx, p["repositoryName"])
    text = checks.repository_policy(p["policyText"])
    model.update(ctx, row.name, policy=text)
    return _answer(ctx, row.name, text)


@operation("GetRepositoryPolicy")
def get_repository_policy(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = model.require(ctx, p["repositoryName"])
    if row.policy is None:
        raise _not_found(ctx, row.name)
    return _answer(ctx, row.name, row.policy)


@operation("DeleteRepositoryPolicy", write=True)
def delete_repository_policy(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = model.require(ctx, p["repositoryName"])
    if row.policy is None:
        raise _not_found(ctx, row.name)
    model.update(ctx, row.name, policy=None)
    return _answer(ctx, row.name, row.policy)

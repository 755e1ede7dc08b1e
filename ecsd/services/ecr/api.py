"""The ECR provider object every ECR module registers its operations on, and the checks
and error texts they share (repository names, registry ids, tags).

ECR answers input that breaks the model's rules with InvalidParameterException; the
repository-name rule it words in its own way ("Invalid parameter at 'repositoryName'
failed to satisfy constraint: 'must satisfy regular expression …'"), which `operation`
adds to every operation that takes a `repositoryName`.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from ...aws.errors import AwsError, clip
from ...aws.provider import Context, Handler, Provider

ecr = Provider(
    "ecr", validation_error="InvalidParameterException", internal_error="ServerException"
)

# What the model's RepositoryName pattern accepts, and the expression AWS quotes when it
# refuses a name (the older spelling of the same rule).
_NAME = re.compile(r"[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*(/[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*)*")
_NAME_SHOWN = "(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*"
_REGISTRY_ID = re.compile(r"[0-9]{12}")


def invalid(message: str) -> AwsError:
    return AwsError("InvalidParameterException", message)


def check_name(name: str, member: str = "repositoryName") -> str:
    if not _NAME.fullmatch(name):
        raise invalid(
            f"Invalid parameter at '{member}' failed to satisfy constraint: 'must satisfy "
            f"regular expression '{_NAME_SHOWN}''"
        )
    return name


def registry_id(ctx: Context, p: dict[str, Any]) -> str:
    """The registry a request names: this account's unless `registryId` says another,
    which ecsd does not host (a registry is an account)."""
    given = p.get("registryId")
    if given is None or given == ctx.account:
        return ctx.account
    if not _REGISTRY_ID.fullmatch(given):
        raise invalid(
            "Invalid parameter at 'registryId' failed to satisfy constraint: 'must satisfy "
            "regular expression '[0-9]{12}''"
        )
    # ecsd's own text: AWS denies access to another account's registry without a
    # repository policy that grants it; ecsd hosts the one account only.
    raise AwsError(
        "AccessDeniedException",
        f"ecsd hosts the registry with id '{ctx.account}' only, not '{clip(given, 64)}'.",
    )


def operation(name: str, *, write: bool = False) -> Callable[[Handler], Handler]:
    """`ecr.operation`, plus ECR's own wording of the repository-name and registry-id
    rules, checked before the handler runs."""

    def register(fn: Handler) -> Handler:
        @functools.wraps(fn)
        def checked(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
            if isinstance(p.get("repositoryName"), str):
                check_name(p["repositoryName"])
            registry_id(ctx, p)
            return fn(ctx, p)

        ecr.operation(name, write=write)(checked)
        return fn

    return register

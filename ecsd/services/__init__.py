"""One folder per hosted AWS service, each exposing a `Provider` (see aws/provider.py)."""

from __future__ import annotations

from ..aws.provider import Provider


def all_providers() -> list[Provider]:
    from .ecr import ecr
    from .ecs import ecs
    from .elbv2 import elbv2
    from .iam import iam
    from .logs import logs
    from .secretsmanager import secretsmanager
    from .ssm import ssm
    from .sts import sts

    return [ecs, sts, logs, ssm, secretsmanager, elbv2, ecr, iam]

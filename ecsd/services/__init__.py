"""One folder per hosted AWS service, each exposing a `Provider` (see aws/provider.py)."""

from __future__ import annotations

from ..aws.provider import Provider


def all_providers() -> list[Provider]:
    from .acm import acm
    from .applicationautoscaling import applicationautoscaling
    from .cloudwatch import cloudwatch
    from .ec2 import ec2
    from .ecr import ecr
    from .ecs import ecs
    from .elbv2 import elbv2
    from .iam import iam
    from .logs import logs
    from .route53 import route53
    from .secretsmanager import secretsmanager
    from .ssm import ssm
    from .sts import sts

    return [
        ecs,
        sts,
        logs,
        ssm,
        secretsmanager,
        elbv2,
        ecr,
        route53,
        acm,
        cloudwatch,
        ec2,
        applicationautoscaling,
        iam,
    ]

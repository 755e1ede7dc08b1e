"""Application Auto Scaling for ECS services on the ecsd endpoint (botocore
`application-autoscaling`: JSON 1.1, `X-Amz-Target: AnyScaleFrontendService.<Op>`,
signing name `application-autoscaling`)."""

from . import policies, scheduled, targets  # noqa: F401  (registration)
from .api import applicationautoscaling

__all__ = ["applicationautoscaling"]

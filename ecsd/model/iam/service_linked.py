"""Service-linked roles: the role a service names for itself, at
`/aws-service-role/<service>/`, trusting that service, with its managed policy attached.
Only AWS (here: CreateServiceLinkedRole / DeleteServiceLinkedRole) changes them; the
account's own role calls refuse with UnmodifiableEntity.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ...aws.errors import AwsError

PATH_PREFIX = "/aws-service-role/"


@dataclass(frozen=True)
class Linked:
    role_name: str  # AWS's name for the service's role
    policy: str  # the AWS managed policy (under /aws-service-role/) it carries
    suffix: bool = True  # whether a CustomSuffix is accepted


# The services ecsd's users meet (names and policies as AWS gives them).
SERVICES = {
    "ecs.amazonaws.com": Linked("AWSServiceRoleForECS", "AmazonECSServiceRolePolicy"),
    "elasticloadbalancing.amazonaws.com": Linked(
        "AWSServiceRoleForElasticLoadBalancing", "AWSElasticLoadBalancingServiceRolePolicy"
    ),
    # Its name already carries the resource type after "_": no suffix of one's own.
    "ecs.application-autoscaling.amazonaws.com": Linked(
        "AWSServiceRoleForApplicationAutoScaling_ECSService",
        "AWSApplicationAutoscalingECSServicePolicy",
        suffix=False,
    ),
    "autoscaling.amazonaws.com": Linked(
        "AWSServiceRoleForAutoScaling", "AutoScalingServiceRolePolicy"
    ),
}


def linked(service: str, suffix: str | None) -> tuple[Linked, str]:
    """The service's entry and the role name to make, or InvalidInput."""
    found = SERVICES.get(service)
    if found is None:
        # ecsd's own text: the services ecsd knows are listed in SERVICES.
        raise AwsError(
            "InvalidInput",
            f"Service {service} is not one ecsd makes service-linked roles for "
            f"({', '.join(sorted(SERVICES))}).",
        )
    if suffix and not found.suffix:
        # ecsd's own text.
        raise AwsError("InvalidInput", f"Custom suffix is not allowed for {service}.")
    return found, f"{found.role_name}_{suffix}" if suffix else found.role_name


def trust_policy(service: str) -> str:
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {
                    "Effect": "Allow",
                    "Principal": {"Service": [service]},
                    "Action": ["sts:AssumeRole"],
                }
            ],
        }
    )


def is_linked(doc: dict[str, Any]) -> bool:
    return str(doc.get("Path", "")).startswith(PATH_PREFIX)


def service_of(doc: dict[str, Any]) -> str:
    return str(doc["Path"])[len(PATH_PREFIX) :].strip("/")


def check_modifiable(doc: dict[str, Any]) -> None:
    """UnmodifiableEntity (IAM's text) for a service-linked role."""
    if is_linked(doc):
        raise AwsError(
            "UnmodifiableEntity",
            f"Cannot perform the operation on the protected role '{doc['RoleName']}' - "
            "this role is only modifiable by AWS",
        )

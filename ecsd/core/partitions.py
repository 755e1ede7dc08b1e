"""AWS partitions: which `arn:<partition>:` a region's resources carry.

Every ARN ecsd makes is built here, so that a request signed for a China region answers
`arn:aws-cn:...`, one for GovCloud `arn:aws-us-gov:...`, and everything else
`arn:aws:...` — ECS, CloudWatch Logs, SSM, Secrets Manager, STS's caller identity, and
whatever service is hosted next (botocore's endpoints data names the same partitions by
the same region prefixes).
"""

from __future__ import annotations

# Region-name prefixes of the partitions other than `aws`, longest first so that
# `us-isob-` is not taken for `us-iso-`.
_PREFIXES = (
    ("us-isob-", "aws-iso-b"),
    ("us-isof-", "aws-iso-f"),
    ("eu-isoe-", "aws-iso-e"),
    ("us-iso-", "aws-iso"),
    ("us-gov-", "aws-us-gov"),
    ("cn-", "aws-cn"),
)


def partition(region: str) -> str:
    """The partition of a region: `aws-cn` for `cn-north-1`, `aws-us-gov` for
    `us-gov-west-1`, `aws` for the rest (and for a local region name)."""
    for prefix, name in _PREFIXES:
        if region.startswith(prefix):
            return name
    return "aws"


def arn(service: str, region: str, account: str, resource: str) -> str:
    """`arn:<partition>:<service>:<region>:<account>:<resource>`; IAM and other global
    services pass region "" and still get the partition of the caller's region through
    `global_arn`."""
    return f"arn:{partition(region)}:{service}:{region}:{account}:{resource}"


def global_arn(service: str, region: str, account: str, resource: str) -> str:
    """An ARN of a global service (IAM), in the partition of `region`, with no region."""
    return f"arn:{partition(region)}:{service}::{account}:{resource}"

"""EC2 on the ecsd endpoint (botocore's `ec2` protocol, protocols/ec2.py): the
networking records Terraform and the ECS tutorials create (issue #14) — zones and
account attributes, VPCs, security groups, tags — one module per resource family."""

from . import region, security_groups, tags, vpcs  # noqa: F401  (registration)
from .api import ec2

__all__ = ["ec2"]

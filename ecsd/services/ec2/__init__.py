"""EC2 on the ecsd endpoint (botocore's `ec2` protocol, protocols/ec2.py): the
networking records Terraform and the ECS tutorials create (issue #14) — zones and
account attributes, VPCs, security groups, tags — one module per resource family."""

from . import (  # noqa: F401  (registration)
    endpoints,
    gateways,
    interfaces,
    region,
    route_tables,
    security_groups,
    subnets,
    tags,
    vpcs,
)
from .api import ec2

__all__ = ["ec2"]

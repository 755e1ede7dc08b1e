"""EC2's resource ids: a kind prefix, a dash and 17 lower-case hex digits
(`vpc-0a1b2c3d4e5f60718`), as EC2 has issued them since 2018.

Ids of the records ecsd makes by itself (a region's default VPC, its subnets and
groups) are derived from what they are, so that making them twice (two processes, a
restart) gives the same ids.
"""

from __future__ import annotations

import hashlib
import re
import secrets

# The prefixes of the kinds ecsd keeps (both halves of EC2's networking).
VPC = "vpc"
SUBNET = "subnet"
SECURITY_GROUP = "sg"
SECURITY_GROUP_RULE = "sgr"
NETWORK_INTERFACE = "eni"
ROUTE_TABLE = "rtb"
ROUTE_TABLE_ASSOCIATION = "rtbassoc"
NETWORK_ACL = "acl"
NETWORK_ACL_ASSOCIATION = "aclassoc"
INTERNET_GATEWAY = "igw"
ELASTIC_IP = "eipalloc"
ELASTIC_IP_ASSOCIATION = "eipassoc"
NAT_GATEWAY = "nat"
VPC_ENDPOINT = "vpce"
VPC_CIDR_ASSOCIATION = "vpc-cidr-assoc"
SUBNET_CIDR_ASSOCIATION = "subnet-cidr-assoc"

_DIGITS = 17
_FORM = re.compile(r"^([a-z]+(?:-[a-z]+)*)-([0-9a-f]{8}|[0-9a-f]{17})$")


def new(prefix: str) -> str:
    """A fresh id of the kind `prefix` (`new(VPC)` -> `vpc-…`)."""
    return f"{prefix}-{secrets.token_hex(9)[:_DIGITS]}"


def derived(prefix: str, *parts: str) -> str:
    """The same id each time for the same `parts` (records ecsd makes by itself)."""
    digest = hashlib.sha256("\0".join((prefix, *parts)).encode()).hexdigest()
    return f"{prefix}-{digest[:_DIGITS]}"


def kind(resource_id: str) -> str | None:
    """The prefix of a well-formed id (`vpc` for `vpc-0123…`), else None. EC2 also
    accepts the older 8-digit form, so ecsd does too."""
    m = _FORM.match(resource_id)
    return m.group(1) if m else None

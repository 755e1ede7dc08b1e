"""IPv4 CIDR blocks as EC2 checks them: a network address (no host bits) with a
netmask inside the bounds EC2 gives VPCs and subnets (/16 to /28)."""

from __future__ import annotations

import ipaddress

from .errors import bad_cidr

SMALLEST = 28
LARGEST = 16


def network(value: str, parameter: str = "cidrBlock") -> ipaddress.IPv4Network:
    """The block `value` names; InvalidParameterValue when it is not an IPv4 CIDR."""
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise bad_cidr(value, parameter) from None
    if not isinstance(net, ipaddress.IPv4Network) or "/" not in value:
        raise bad_cidr(value, parameter)
    return net


def in_bounds(net: ipaddress.IPv4Network) -> bool:
    return LARGEST <= net.prefixlen <= SMALLEST


def overlaps(a: str, b: str) -> bool:
    return ipaddress.ip_network(a).overlaps(ipaddress.ip_network(b))

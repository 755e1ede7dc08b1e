"""The ENIs the routing half's records own — one per NAT gateway, one per subnet of an
interface endpoint — as DescribeNetworkInterfaces shows them (through
`interfaces.source`), and the private address each gets in its subnet.

Clients read them: Terraform's aws_vpc_endpoint reads its subnet configurations from
its interfaces, and a NAT gateway's interface is what its Elastic IP is associated with.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import Row

from ...aws.errors import AwsError
from ...core.unit import Unit
from . import ids, interfaces, tags
from .errors import invalid_value

# The requester AWS names on the interfaces it manages for these records.
REQUESTER = "amazon"


def free_ip(unit: Unit, subnet: Row[Any], wanted: str | None = None) -> str:
    """A private address of `subnet` no ENI uses: `wanted` if given (checked), else the
    highest free one (tasks' ENIs are numbered from the bottom, so the two rarely meet;
    EC2 reserves the first four addresses and the last)."""
    net = ipaddress.ip_network(subnet.cidr)
    taken = {
        d.get("PrivateIpAddress")
        for d in interfaces.described(unit)
        if d.get("SubnetId") == subnet.id
    }
    if wanted:
        try:
            inside = ipaddress.ip_address(wanted) in net
        except ValueError:
            inside = False
        if not inside:
            raise invalid_value(f"Private IP address {wanted} is not in subnet {subnet.id}.")
        if wanted in taken:
            raise AwsError(
                "InvalidIPAddress.InUse", f"Address {wanted} is in use."
            )  # ecsd's own text
        return wanted
    for host in reversed(list(net.hosts())[4:]):
        if str(host) not in taken:
            return str(host)
    # ecsd's own text (EC2's code).
    raise AwsError(
        "InsufficientFreeAddressesInSubnet",
        f"The subnet {subnet.id} has no free private addresses.",
    )


def doc(
    unit: Unit,
    eni_id: str,
    subnet: dict[str, Any],
    ip: str,
    *,
    kind: str,
    description: str,
    groups: list[dict[str, str]],
    association: dict[str, Any] | None = None,
    tag_map: dict[str, str] | None = None,
) -> dict[str, Any]:
    """One owned ENI as EC2 describes it (`kind` is its InterfaceType)."""
    address: dict[str, Any] = {"Primary": True, "PrivateIpAddress": ip}
    out: dict[str, Any] = {
        "NetworkInterfaceId": eni_id,
        "SubnetId": subnet["SubnetId"],
        "VpcId": subnet["VpcId"],
        "AvailabilityZone": subnet["AvailabilityZone"],
        "Description": description,
        "Groups": groups,
        "InterfaceType": kind,
        "MacAddress": "02:" + ":".join(eni_id[-10:][i : i + 2] for i in range(0, 10, 2)),
        "OwnerId": unit.account,
        "PrivateIpAddress": ip,
        "PrivateIpAddresses": [address],
        "Ipv6Addresses": [],
        "RequesterId": REQUESTER,
        "RequesterManaged": True,
        "SourceDestCheck": True,
        "Status": "in-use",
        "TagSet": tags.listed(tag_map or {}),
    }
    if association:
        out["Association"] = association
        address["Association"] = association
    return out


def new_id() -> str:
    return ids.new(ids.NETWORK_INTERFACE)

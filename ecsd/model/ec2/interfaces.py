"""Network interfaces: the ENIs of awsvpc tasks, read through ECS's named function
(model/ecs/interfaces.py) and shown as EC2 shows a Fargate task's ENI, plus the ENIs
other EC2 records own (NAT gateways, interface endpoints: registered with `source`). A
subnet or group an active task (or an owned ENI) uses cannot be deleted."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from ...core.unit import Unit
from ...store.schema.ec2 import ec2_security_groups, ec2_subnets
from ..ecs.interfaces import TaskInterface, task_interfaces
from . import defaults, ids, tags

# The account AWS's ENIs for ECS tasks name as their requester (ecsd's own value).
REQUESTER = "amazon-elasticcontainerservice"

FIELDS: dict[str, Any] = {
    "network-interface-id": lambda d: d["NetworkInterfaceId"],
    "subnet-id": lambda d: d["SubnetId"],
    "vpc-id": lambda d: d["VpcId"],
    "group-id": lambda d: [g["GroupId"] for g in d["Groups"]],
    "group-name": lambda d: [g["GroupName"] for g in d["Groups"]],
    "private-ip-address": lambda d: d.get("PrivateIpAddress"),
    "addresses.private-ip-address": lambda d: d.get("PrivateIpAddress"),
    "status": lambda d: d["Status"],
    "description": lambda d: d["Description"],
    "interface-type": lambda d: d["InterfaceType"],
    "availability-zone": lambda d: d["AvailabilityZone"],
    "requester-managed": lambda d: d["RequesterManaged"],
    "requester-id": lambda d: d["RequesterId"],
    "owner-id": lambda d: d["OwnerId"],
    "mac-address": lambda d: d.get("MacAddress"),
    "attachment.status": lambda d: d["Attachment"]["Status"],
}


# ENIs other EC2 records own (the routing half's NAT gateways and interface endpoints):
# each source gives its interfaces as EC2's NetworkInterface docs, TagSet included.
Source = Callable[[Unit], list[dict[str, Any]]]
_sources: list[Source] = []


def source(fn: Source) -> Source:
    """Register a source of owned ENIs (at import time of its model module)."""
    if fn not in _sources:
        _sources.append(fn)
    return fn


def owned(unit: Unit) -> list[dict[str, Any]]:
    return [d for fn in _sources for d in fn(unit)]


def _exists(unit: Unit, eni_id: str) -> bool:
    return any(i.eni_id == eni_id for i in task_interfaces(unit)) or any(
        d["NetworkInterfaceId"] == eni_id for d in owned(unit)
    )


tags.taggable(ids.NETWORK_INTERFACE, "network-interface", _exists)


def subnet_in_use(unit: Unit, subnet_id: str) -> bool:
    return any(i.subnet_id == subnet_id for i in task_interfaces(unit))


def group_in_use(unit: Unit, group_id: str) -> bool:
    return any(group_id in i.security_groups for i in task_interfaces(unit)) or any(
        group_id in [g["GroupId"] for g in d["Groups"]] for d in owned(unit)
    )


def described(unit: Unit) -> list[dict[str, Any]]:
    """Every task ENI that exists (its task's namespace runs), as EC2 describes it."""
    found = [i for i in task_interfaces(unit) if i.eni_id]
    subnet_ids = {i.subnet_id for i in found}
    subnets = {
        r.id: r
        for r in unit.conn.execute(
            select(ec2_subnets).where(
                ec2_subnets.c.region == unit.region, ec2_subnets.c.id.in_(subnet_ids)
            )
        )
    }
    default_vpc = defaults.vpc_id(unit) or ""
    groups = {
        r.id: r
        for r in unit.conn.execute(
            select(ec2_security_groups).where(ec2_security_groups.c.region == unit.region)
        )
    }
    # A task given no security group gets its VPC's default group, as on ECS.
    default_group = {r.vpc: r.id for r in groups.values() if r.name == "default"}
    tag_maps = tags.of(unit, [i.eni_id for i in found if i.eni_id])
    out = []
    for i in found:
        subnet = subnets.get(i.subnet_id)
        vpc_id = subnet.vpc if subnet is not None else default_vpc
        group_ids = list(i.security_groups) or [
            g for g in [default_group.get(vpc_id)] if g is not None
        ]
        shown = [
            {"GroupId": g, "GroupName": groups[g].name if g in groups else ""} for g in group_ids
        ]
        out.append(_doc(unit, i, subnet, vpc_id, shown, tag_maps))
    return out + owned(unit)


def _doc(
    unit: Unit,
    i: TaskInterface,
    subnet: Any,
    vpc_id: str,
    groups: list[dict[str, str]],
    tag_maps: dict[str, dict[str, str]],
) -> dict[str, Any]:
    """One ENI; a subnet ecsd does not know (accepted while the user has no VPC of
    their own) is shown in the default VPC."""
    eni_id = i.eni_id or ""
    zone = subnet.doc["AvailabilityZone"] if subnet is not None else i.availability_zone
    address = {"Primary": True, "PrivateIpAddress": i.private_ip or ""}
    if i.private_dns:
        address["PrivateDnsName"] = i.private_dns
    doc: dict[str, Any] = {
        "NetworkInterfaceId": eni_id,
        "SubnetId": i.subnet_id,
        "VpcId": vpc_id,
        "AvailabilityZone": zone,
        "Description": unit.arn("ecs", f"attachment/{i.attachment_id}"),
        "Groups": groups,
        "InterfaceType": "interface",
        "MacAddress": i.mac or "",
        "OwnerId": unit.account,
        "PrivateIpAddress": i.private_ip or "",
        "PrivateIpAddresses": [address],
        "Ipv6Addresses": [],
        "RequesterId": REQUESTER,
        "RequesterManaged": True,
        "SourceDestCheck": True,
        "Status": "in-use",
        "Attachment": {
            "AttachmentId": ids.derived("eni-attach", eni_id),
            "DeviceIndex": 1,
            "InstanceOwnerId": REQUESTER,
            "Status": "attached",
        },
        "TagSet": tags.listed(tag_maps.get(eni_id, {})),
    }
    if i.private_dns:
        doc["PrivateDnsName"] = i.private_dns
    return doc

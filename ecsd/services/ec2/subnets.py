"""Subnets: CreateSubnet, DescribeSubnets, DeleteSubnet, ModifySubnetAttribute."""

from __future__ import annotations

from typing import Any

from ...aws.provider import Context
from ...model.ec2 import filters, ids, subnets, tags
from ...model.ec2.errors import invalid_value, missing, not_found
from .api import records
from .paging import page

# ModifySubnetAttribute's boolean members -> where each lives in the Subnet doc.
_FLAGS = {
    "MapPublicIpOnLaunch": ("MapPublicIpOnLaunch",),
    "MapCustomerOwnedIpOnLaunch": ("MapCustomerOwnedIpOnLaunch",),
    "EnableDns64": ("EnableDns64",),
    "EnableResourceNameDnsARecordOnLaunch": (
        "PrivateDnsNameOptionsOnLaunch",
        "EnableResourceNameDnsARecord",
    ),
    "EnableResourceNameDnsAAAARecordOnLaunch": (
        "PrivateDnsNameOptionsOnLaunch",
        "EnableResourceNameDnsAAAARecord",
    ),
}
_HOSTNAME_TYPES = ("ip-name", "resource-name")


def _tag_map(d: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in d.get("Tags", [])}


def _view(doc: dict[str, Any], tag_map: dict[str, str]) -> dict[str, Any]:
    return {**doc, "Tags": tags.listed(tag_map)} if tag_map else dict(doc)


@records("CreateSubnet")
def create_subnet(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("Ipv6Native") or p.get("Ipv6CidrBlock") or p.get("Ipv4IpamPoolId"):
        # ecsd's own text: ecsd keeps IPv4 blocks given as CidrBlock only.
        raise invalid_value("ecsd allocates no IPv6 blocks nor IPAM pools; give CidrBlock.")
    if not p.get("CidrBlock"):
        raise missing("CidrBlock")
    zone = subnets.zone_for(ctx, p.get("AvailabilityZone"), p.get("AvailabilityZoneId"))
    tag_list = tags.from_specifications(p.get("TagSpecifications"), "subnet")
    doc = subnets.create(ctx, p["VpcId"], p["CidrBlock"], zone=zone, tag_list=tag_list)
    return {"Subnet": _view(doc, {t["Key"]: t["Value"] for t in tag_list})}


@records("DescribeSubnets")
def describe_subnets(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    rows = subnets.all_rows(ctx)
    if p.get("SubnetIds"):
        have = {r.id for r in rows}
        for subnet_id in p["SubnetIds"]:
            if subnet_id not in have:
                raise not_found(ids.SUBNET, subnet_id)
        rows = [r for r in rows if r.id in set(p["SubnetIds"])]
    tag_maps = tags.of(ctx, [r.id for r in rows])
    docs = [_view(r.doc, tag_maps.get(r.id, {})) for r in rows]
    found = filters.select(docs, p.get("Filters"), subnets.FIELDS, _tag_map)
    items, more = page(found, lambda d: d["SubnetId"], p)
    return {"Subnets": items, **more}


@records("DeleteSubnet")
def delete_subnet(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    subnets.remove(ctx, p["SubnetId"])
    return {}


@records("ModifySubnetAttribute")
def modify_subnet_attribute(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = subnets.get(ctx, p["SubnetId"])
    doc = {
        **row.doc,
        "PrivateDnsNameOptionsOnLaunch": dict(row.doc["PrivateDnsNameOptionsOnLaunch"]),
    }
    for member, path in _FLAGS.items():
        given = p.get(member)
        if given is None or given.get("Value") is None:
            continue
        target = doc
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = bool(given["Value"])
    six = p.get("AssignIpv6AddressOnCreation")
    if six is not None and six.get("Value"):
        # ecsd's own text: the subnet has no IPv6 block to assign from.
        raise invalid_value(
            f"Invalid value 'true' for assignIpv6AddressOnCreation. Subnet {row.id} has no "
            "IPv6 CIDR block."
        )
    if six is not None:
        doc["AssignIpv6AddressOnCreation"] = False
    hostname = p.get("PrivateDnsHostnameTypeOnLaunch")
    if hostname is not None:
        if hostname not in _HOSTNAME_TYPES:
            raise invalid_value(
                f"Value ({hostname}) for parameter privateDnsHostnameTypeOnLaunch is invalid."
            )  # ecsd's own text
        doc["PrivateDnsNameOptionsOnLaunch"]["HostnameType"] = hostname
    if p.get("EnableLniAtDeviceIndex") is not None:
        doc["EnableLniAtDeviceIndex"] = p["EnableLniAtDeviceIndex"]
    if p.get("DisableLniAtDeviceIndex") is not None and p["DisableLniAtDeviceIndex"].get("Value"):
        doc["EnableLniAtDeviceIndex"] = 0
    subnets.save(ctx, row, doc)
    return {}

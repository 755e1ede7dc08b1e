"""VPCs: CreateVpc, DescribeVpcs, DeleteVpc, DescribeVpcAttribute, ModifyVpcAttribute."""

from __future__ import annotations

from typing import Any

from ...aws.provider import Context
from ...model.ec2 import filters, tags, vpcs
from ...model.ec2.errors import invalid_combination, invalid_value, missing, not_found
from .api import records
from .paging import page

# ModifyVpcAttribute's members -> the attribute each sets.
_MODIFIABLE = {
    "EnableDnsSupport": "enableDnsSupport",
    "EnableDnsHostnames": "enableDnsHostnames",
    "EnableNetworkAddressUsageMetrics": "enableNetworkAddressUsageMetrics",
}


def view(doc: dict[str, Any], tag_map: dict[str, str]) -> dict[str, Any]:
    out = dict(doc)
    if tag_map:
        out["Tags"] = tags.listed(tag_map)
    return out


@records("CreateVpc")
def create_vpc(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("AmazonProvidedIpv6CidrBlock") or p.get("Ipv6Pool") or p.get("Ipv4IpamPoolId"):
        # ecsd's own text: ecsd keeps IPv4 blocks given as CidrBlock only.
        raise invalid_value("ecsd allocates no IPv6 blocks nor IPAM pools; give CidrBlock.")
    if not p.get("CidrBlock"):
        raise missing("CidrBlock")
    tag_list = tags.from_specifications(p.get("TagSpecifications"), "vpc")
    doc = vpcs.create(
        ctx, p["CidrBlock"], tenancy=p.get("InstanceTenancy") or "default", tag_list=tag_list
    )
    return {"Vpc": view(doc, {t["Key"]: t["Value"] for t in tag_list})}


@records("DescribeVpcs")
def describe_vpcs(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    rows = vpcs.all_rows(ctx)
    wanted = p.get("VpcIds") or []
    if wanted:
        have = {r.id for r in rows}
        for vpc_id in wanted:
            if vpc_id not in have:
                raise not_found("vpc", vpc_id)
        rows = [r for r in rows if r.id in set(wanted)]
    tag_maps = tags.of(ctx, [r.id for r in rows])
    docs = [view(r.doc, tag_maps.get(r.id, {})) for r in rows]
    found = filters.select(
        docs,
        p.get("Filters"),
        vpcs.FIELDS,
        lambda d: {t["Key"]: t["Value"] for t in d.get("Tags", [])},
    )
    items, more = page(found, lambda d: d["VpcId"], p)
    return {"Vpcs": items, **more}


@records("DeleteVpc")
def delete_vpc(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    vpcs.remove(ctx, p["VpcId"])
    return {}


@records("DescribeVpcAttribute")
def describe_vpc_attribute(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = vpcs.get(ctx, p["VpcId"])
    name = p["Attribute"]
    if name not in row.attributes:
        raise invalid_value(f"Value ({name}) for parameter attribute is invalid.")
    member = name[0].upper() + name[1:]
    return {"VpcId": row.id, member: {"Value": bool(row.attributes[name])}}


@records("ModifyVpcAttribute")
def modify_vpc_attribute(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = vpcs.get(ctx, p["VpcId"])
    given = [(attr, p[m]) for m, attr in _MODIFIABLE.items() if p.get(m) is not None]
    if len(given) != 1:
        # ecsd's own text: EC2 modifies exactly one attribute per call.
        raise invalid_combination("Exactly one VPC attribute must be given per call.")
    attr, value = given[0]
    if value.get("Value") is None:
        raise invalid_value(f"A value for {attr} is required.")  # ecsd's own text
    vpcs.set_attribute(ctx, row, attr, bool(value["Value"]))
    return {}


@records("AssociateVpcCidrBlock")
def associate_vpc_cidr_block(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = vpcs.get(ctx, p["VpcId"])
    if not p.get("CidrBlock"):
        # ecsd's own text: ecsd keeps IPv4 blocks given as CidrBlock only.
        raise invalid_value("ecsd associates IPv4 blocks given as CidrBlock only.")
    association = vpcs.associate_cidr(ctx, row, p["CidrBlock"])
    return {"VpcId": row.id, "CidrBlockAssociation": association}


@records("DisassociateVpcCidrBlock")
def disassociate_vpc_cidr_block(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    vpc_id, association = vpcs.disassociate_cidr(ctx, p["AssociationId"])
    return {"VpcId": vpc_id, "CidrBlockAssociation": association}

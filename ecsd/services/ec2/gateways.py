"""Internet gateways, Elastic IPs and NAT gateways: what Terraform's
aws_internet_gateway (+ _attachment), aws_eip and aws_nat_gateway call."""

from __future__ import annotations

from typing import Any

from ...aws.provider import Context
from ...model.ec2 import addresses, filters, gateways, ids, nat_gateways, tags
from ...model.ec2.errors import missing, not_found
from .api import records
from .paging import page


def _tag_map(d: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in d.get("Tags", [])}


def _only(rows: list[Any], wanted: list[str], kind: str) -> list[Any]:
    """The rows a call names by id (each must exist), or every row."""
    if not wanted:
        return rows
    have = {r.id for r in rows}
    for resource_id in wanted:
        if resource_id not in have:
            raise not_found(kind, resource_id)
    return [r for r in rows if r.id in set(wanted)]


# Internet gateways -------------------------------------------------------------------


@records("CreateInternetGateway")
def create_internet_gateway(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    tag_list = tags.from_specifications(p.get("TagSpecifications"), "internet-gateway")
    doc = gateways.create(ctx, tag_list=tag_list)
    return {"InternetGateway": gateways.view(ctx, [gateways.get(ctx, doc["InternetGatewayId"])])[0]}


@records("DescribeInternetGateways")
def describe_internet_gateways(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    rows = _only(gateways.all_rows(ctx), p.get("InternetGatewayIds") or [], ids.INTERNET_GATEWAY)
    found = filters.select(gateways.view(ctx, rows), p.get("Filters"), gateways.FIELDS, _tag_map)
    items, more = page(found, lambda d: d["InternetGatewayId"], p)
    return {"InternetGateways": items, **more}


@records("AttachInternetGateway")
def attach_internet_gateway(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    gateways.attach(ctx, p["InternetGatewayId"], p["VpcId"])
    return {}


@records("DetachInternetGateway")
def detach_internet_gateway(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    gateways.detach(ctx, p["InternetGatewayId"], p["VpcId"])
    return {}


@records("DeleteInternetGateway")
def delete_internet_gateway(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    gateways.remove(ctx, p["InternetGatewayId"])
    return {}


# Elastic IPs -------------------------------------------------------------------------


@records("AllocateAddress")
def allocate_address(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    tag_list = tags.from_specifications(p.get("TagSpecifications"), "elastic-ip")
    doc = addresses.allocate(ctx, domain=p.get("Domain") or "vpc", tag_list=tag_list)
    return dict(doc)


@records("DescribeAddresses")
def describe_addresses(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    rows = _only(addresses.all_rows(ctx), p.get("AllocationIds") or [], ids.ELASTIC_IP)
    if p.get("PublicIps"):
        named = {addresses.by_public_ip(ctx, ip).id for ip in p["PublicIps"]}
        rows = [r for r in rows if r.id in named]
    docs = addresses.view(ctx, sorted(rows, key=lambda r: r.id))
    # DescribeAddresses is not paged.
    return {"Addresses": filters.select(docs, p.get("Filters"), addresses.FIELDS, _tag_map)}


@records("DescribeAddressesAttribute")
def describe_addresses_attribute(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    # The only attribute is `domain-name` (reverse DNS): ecsd keeps no PTR records, so
    # each address is listed without one, as EC2 lists an address nobody set one for.
    rows = _only(addresses.all_rows(ctx), p.get("AllocationIds") or [], ids.ELASTIC_IP)
    items = [{"AllocationId": r.id, "PublicIp": r.public_ip} for r in rows]
    found, more = page(items, lambda d: d["AllocationId"], p)
    return {"Addresses": found, **more}


@records("ReleaseAddress")
def release_address(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("AllocationId"):
        addresses.release(ctx, p["AllocationId"])
    elif p.get("PublicIp"):
        addresses.release(ctx, addresses.by_public_ip(ctx, p["PublicIp"]).id)
    else:
        raise missing("AllocationId")
    return {}


@records("DisassociateAddress")
def disassociate_address(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    if not p.get("AssociationId"):
        raise missing("AssociationId")
    addresses.disassociate(ctx, p["AssociationId"])
    return {}


# NAT gateways ------------------------------------------------------------------------


@records("CreateNatGateway")
def create_nat_gateway(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    if not p.get("SubnetId"):  # required by EC2, optional in botocore's model
        raise missing("SubnetId")
    tag_list = tags.from_specifications(p.get("TagSpecifications"), "natgateway")
    doc = nat_gateways.create(
        ctx,
        p["SubnetId"],
        allocation_id=p.get("AllocationId"),
        connectivity=p.get("ConnectivityType") or "public",
        private_ip=p.get("PrivateIpAddress"),
        tag_list=tag_list,
    )
    if tag_list:
        doc = {**doc, "Tags": tag_list}
    out: dict[str, Any] = {"NatGateway": doc}
    if p.get("ClientToken"):
        out["ClientToken"] = p["ClientToken"]
    return out


@records("DescribeNatGateways")
def describe_nat_gateways(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    rows = _only(nat_gateways.all_rows(ctx), p.get("NatGatewayIds") or [], ids.NAT_GATEWAY)
    docs = nat_gateways.view(ctx, rows)
    # EC2 names this filter in the request's `Filter` member (not `Filters`).
    found = filters.select(docs, p.get("Filter"), nat_gateways.FIELDS, _tag_map)
    items, more = page(found, lambda d: d["NatGatewayId"], p)
    return {"NatGateways": items, **more}


@records("DeleteNatGateway")
def delete_nat_gateway(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    nat_gateways.remove(ctx, p["NatGatewayId"])
    return {"NatGatewayId": p["NatGatewayId"]}

"""Route tables and routes: Create/Describe/DeleteRouteTable, CreateRoute, ReplaceRoute,
DeleteRoute, AssociateRouteTable, DisassociateRouteTable, ReplaceRouteTableAssociation —
what Terraform's aws_route_table, aws_route, aws_route_table_association and
aws_main_route_table_association call — and DescribeNetworkAcls (the default ACLs
`aws_vpc` reads)."""

from __future__ import annotations

from typing import Any

from ...aws.provider import Context
from ...model.ec2 import filters, ids, network_acls, route_tables, tags
from ...model.ec2.errors import not_found
from .api import records
from .paging import page


def _tag_map(d: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in d.get("Tags", [])}


def _route(p: dict[str, Any]) -> dict[str, Any]:
    members = (*route_tables.DESTINATIONS, *route_tables.TARGETS, "VpcEndpointId")
    return {m: p[m] for m in members if p.get(m)}


@records("CreateRouteTable")
def create_route_table(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    tag_list = tags.from_specifications(p.get("TagSpecifications"), "route-table")
    doc = route_tables.create(ctx, p["VpcId"], tag_list=tag_list)
    return {"RouteTable": route_tables.view(ctx, [route_tables.get(ctx, doc["RouteTableId"])])[0]}


@records("DescribeRouteTables")
def describe_route_tables(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    rows = route_tables.all_rows(ctx)
    wanted = p.get("RouteTableIds") or []
    if wanted:
        have = {r.id for r in rows}
        for rtb_id in wanted:
            if rtb_id not in have:
                raise not_found(ids.ROUTE_TABLE, rtb_id)
        rows = [r for r in rows if r.id in set(wanted)]
    docs = route_tables.view(ctx, rows)
    found = filters.select(docs, p.get("Filters"), route_tables.FIELDS, _tag_map)
    items, more = page(found, lambda d: d["RouteTableId"], p)
    return {"RouteTables": items, **more}


@records("DeleteRouteTable")
def delete_route_table(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    route_tables.remove(ctx, p["RouteTableId"])
    return {}


@records("CreateRoute")
def create_route(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    route_tables.add_route(ctx, p["RouteTableId"], _route(p), replace=False)
    return {"Return": True}


@records("ReplaceRoute")
def replace_route(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    route_tables.add_route(ctx, p["RouteTableId"], _route(p), replace=True)
    return {}


@records("DeleteRoute")
def delete_route(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    route_tables.delete_route(ctx, p["RouteTableId"], _route(p))
    return {}


@records("AssociateRouteTable")
def associate_route_table(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    assoc_id = route_tables.associate(
        ctx, p["RouteTableId"], subnet_id=p.get("SubnetId"), gateway_id=p.get("GatewayId")
    )
    return {"AssociationId": assoc_id, "AssociationState": {"State": "associated"}}


@records("DisassociateRouteTable")
def disassociate_route_table(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    route_tables.disassociate(ctx, p["AssociationId"])
    return {}


@records("ReplaceRouteTableAssociation")
def replace_route_table_association(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    new_id = route_tables.replace_association(ctx, p["AssociationId"], p["RouteTableId"])
    return {"NewAssociationId": new_id, "AssociationState": {"State": "associated"}}


@records("DescribeNetworkAcls")
def describe_network_acls(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    rows = network_acls.all_rows(ctx)
    wanted = p.get("NetworkAclIds") or []
    if wanted:
        have = {r.id for r in rows}
        for acl_id in wanted:
            if acl_id not in have:
                raise not_found(ids.NETWORK_ACL, acl_id)
        rows = [r for r in rows if r.id in set(wanted)]
    docs = network_acls.view(ctx, rows)
    found = filters.select(docs, p.get("Filters"), network_acls.FIELDS, _tag_map)
    items, more = page(found, lambda d: d["NetworkAclId"], p)
    return {"NetworkAcls": items, **more}

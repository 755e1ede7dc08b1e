"""Route tables in the store: each VPC's main table (made with the VPC, its `local`
route for the VPC's CIDR), the tables a user makes, their routes (kept in the table's
doc) and associations (a subnet's, a gateway's, the VPC's main one).

No packet is routed: ecsd keeps and checks the records as EC2 does (one table per
subnet, a target that exists in the same VPC, a destination given once, the local
route kept) so that Terraform and the CLI read back what they wrote.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from ...core.unit import Unit
from ...store.schema.ec2_routing import (
    ec2_internet_gateways,
    ec2_nat_gateways,
    ec2_route_tables,
    ec2_rtb_associations,
    ec2_vpc_endpoints,
)
from . import ids, subnets, tags, vpc_lifecycle, vpcs
from .errors import dependency, invalid_combination, invalid_value, not_found
from .routing_errors import (
    already_associated_route_table,
    association_not_found,
    different_networks,
    local_route,
    main_association,
    route_exists,
    route_not_found,
)

# A route's destination members and its target members, as CreateRoute names them.
DESTINATIONS = ("DestinationCidrBlock", "DestinationIpv6CidrBlock", "DestinationPrefixListId")
TARGETS = (
    "GatewayId",
    "NatGatewayId",
    "NetworkInterfaceId",
    "VpcPeeringConnectionId",
    "TransitGatewayId",
    "EgressOnlyInternetGatewayId",
    "LocalGatewayId",
    "CarrierGatewayId",
    "CoreNetworkArn",
    "InstanceId",
)

# DescribeRouteTables' filters ecsd answers (EC2's names), over the doc `view` makes.
FIELDS: dict[str, Any] = {
    "route-table-id": lambda d: d["RouteTableId"],
    "vpc-id": lambda d: d["VpcId"],
    "owner-id": lambda d: d["OwnerId"],
    "association.main": lambda d: [a["Main"] for a in d["Associations"]],
    "association.subnet-id": lambda d: [a.get("SubnetId") for a in d["Associations"]],
    "association.gateway-id": lambda d: [a.get("GatewayId") for a in d["Associations"]],
    "association.route-table-id": lambda d: [a["RouteTableId"] for a in d["Associations"]],
    "association.route-table-association-id": lambda d: [
        a["RouteTableAssociationId"] for a in d["Associations"]
    ],
    "route.destination-cidr-block": lambda d: [r.get("DestinationCidrBlock") for r in d["Routes"]],
    "route.destination-ipv6-cidr-block": lambda d: [
        r.get("DestinationIpv6CidrBlock") for r in d["Routes"]
    ],
    "route.destination-prefix-list-id": lambda d: [
        r.get("DestinationPrefixListId") for r in d["Routes"]
    ],
    "route.gateway-id": lambda d: [r.get("GatewayId") for r in d["Routes"]],
    "route.nat-gateway-id": lambda d: [r.get("NatGatewayId") for r in d["Routes"]],
    "route.vpc-peering-connection-id": lambda d: [
        r.get("VpcPeeringConnectionId") for r in d["Routes"]
    ],
    "route.origin": lambda d: [r.get("Origin") for r in d["Routes"]],
    "route.state": lambda d: [r.get("State") for r in d["Routes"]],
}


def _exists(unit: Unit, route_table_id: str) -> bool:
    return find(unit, route_table_id) is not None


tags.taggable(ids.ROUTE_TABLE, "route-table", _exists)


def find(unit: Unit, route_table_id: str) -> Row[Any] | None:
    return unit.conn.execute(
        select(ec2_route_tables).where(
            ec2_route_tables.c.region == unit.region, ec2_route_tables.c.id == route_table_id
        )
    ).first()


def get(unit: Unit, route_table_id: str) -> Row[Any]:
    row = find(unit, route_table_id)
    if row is None:
        raise not_found(ids.ROUTE_TABLE, route_table_id)
    return row


def all_rows(unit: Unit) -> list[Row[Any]]:
    return list(
        unit.conn.execute(select(ec2_route_tables).where(ec2_route_tables.c.region == unit.region))
    )


def _associations(unit: Unit, route_table_ids: list[str]) -> dict[str, list[Row[Any]]]:
    out: dict[str, list[Row[Any]]] = {}
    rows = unit.conn.execute(
        select(ec2_rtb_associations)
        .where(
            ec2_rtb_associations.c.region == unit.region,
            ec2_rtb_associations.c.route_table.in_(route_table_ids),
        )
        .order_by(ec2_rtb_associations.c.id)
    )
    for r in rows:
        out.setdefault(r.route_table, []).append(r)
    return out


def _association_doc(r: Row[Any]) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "Main": r.main_vpc is not None,
        "RouteTableAssociationId": r.id,
        "RouteTableId": r.route_table,
        "AssociationState": {"State": "associated"},
    }
    if r.subnet:
        doc["SubnetId"] = r.subnet
    if r.gateway:
        doc["GatewayId"] = r.gateway
    return doc


def view(unit: Unit, rows: list[Row[Any]]) -> list[dict[str, Any]]:
    """The tables as DescribeRouteTables shows them (associations and tags included)."""
    assocs = _associations(unit, [r.id for r in rows])
    tag_maps = tags.of(unit, [r.id for r in rows])
    out = []
    for r in rows:
        doc = {**r.doc, "Associations": [_association_doc(a) for a in assocs.get(r.id, [])]}
        doc["Tags"] = tags.listed(tag_maps.get(r.id, {}))
        out.append(doc)
    return out


def vpc_doc(unit: Unit, vpc_id: str) -> dict[str, Any]:
    """The VPC's doc (InvalidVpcID.NotFound when there is none)."""
    return dict(vpcs.get(unit, vpc_id).doc)


def create(
    unit: Unit,
    vpc_id: str,
    *,
    tag_list: list[dict[str, str]] | None = None,
    rtb_id: str | None = None,
) -> dict[str, Any]:
    """A new route table of `vpc_id`, with the VPC's local route (its doc, no tags)."""
    vpc = vpc_doc(unit, vpc_id)
    rtb_id = rtb_id or ids.new(ids.ROUTE_TABLE)
    doc: dict[str, Any] = {
        "RouteTableId": rtb_id,
        "VpcId": vpc_id,
        "OwnerId": unit.account,
        "PropagatingVgws": [],
        "Routes": [
            {
                "DestinationCidrBlock": a["CidrBlock"],
                "GatewayId": "local",
                "Origin": "CreateRouteTable",
                "State": "active",
            }
            for a in vpc["CidrBlockAssociationSet"]
        ],
    }
    unit.conn.execute(
        insert(ec2_route_tables).values(region=unit.region, id=rtb_id, vpc=vpc_id, doc=doc)
    )
    if tag_list:
        tags.put(unit, rtb_id, tag_list)
    return doc


def _save(unit: Unit, row: Row[Any], doc: dict[str, Any]) -> None:
    unit.conn.execute(
        update(ec2_route_tables)
        .where(ec2_route_tables.c.region == unit.region, ec2_route_tables.c.id == row.id)
        .values(doc=doc)
    )


def main_of(unit: Unit, vpc_id: str) -> str | None:
    """The id of the VPC's main route table."""
    return unit.conn.execute(
        select(ec2_rtb_associations.c.route_table).where(
            ec2_rtb_associations.c.region == unit.region,
            ec2_rtb_associations.c.main_vpc == vpc_id,
        )
    ).scalar()


# Routes ------------------------------------------------------------------------------


def _destination(route: dict[str, Any]) -> tuple[str, str]:
    given = [(m, route[m]) for m in DESTINATIONS if route.get(m)]
    if len(given) != 1:
        # ecsd's own text: EC2 wants exactly one destination.
        raise invalid_combination(
            "The request must contain exactly one of DestinationCidrBlock, "
            "DestinationIpv6CidrBlock or DestinationPrefixListId."
        )
    member, value = given[0]
    if member != "DestinationPrefixListId":
        try:
            net = ipaddress.ip_network(value, strict=False)
        except ValueError:
            raise invalid_value(
                f"Value ({value}) for parameter destinationCidrBlock is invalid. "
                "This is not a valid CIDR block."
            ) from None
        if (net.version == 6) != (member == "DestinationIpv6CidrBlock"):
            raise invalid_value(
                f"Value ({value}) for parameter destinationCidrBlock is invalid. "
                "This is not a valid CIDR block."
            )
        value = str(net)
    return member, value


def _target_vpc(unit: Unit, target_id: str) -> str | None:
    """The VPC of a target ecsd keeps (gateway, NAT gateway, endpoint), after checking
    it exists; None for a target whose VPC ecsd does not know (peerings, transit
    gateways: stored as given)."""
    kind = ids.kind(target_id)
    table = {
        ids.INTERNET_GATEWAY: ec2_internet_gateways,
        ids.NAT_GATEWAY: ec2_nat_gateways,
        ids.VPC_ENDPOINT: ec2_vpc_endpoints,
    }.get(kind or "")
    if table is None:
        if kind == ids.NETWORK_INTERFACE and tags.resource_type(target_id):
            tags.check_exists(unit, target_id)
        return None
    cond = [table.c.region == unit.region, table.c.id == target_id]
    if table is ec2_nat_gateways:
        cond.append(table.c.state.in_(("pending", "available")))
    row = unit.conn.execute(select(table.c.vpc).where(*cond)).first()
    if row is None:
        raise not_found(kind or "", target_id)
    if row.vpc is None:  # an internet gateway attached to no VPC
        raise different_networks("", target_id)
    return str(row.vpc)


def _route_doc(unit: Unit, row: Row[Any], route: dict[str, Any]) -> dict[str, Any]:
    member, destination = _destination(route)
    targets = [(m, route[m]) for m in TARGETS if route.get(m)]
    if route.get("VpcEndpointId"):
        targets.append(("GatewayId", route["VpcEndpointId"]))
    if len(targets) != 1:
        # ecsd's own text: EC2 wants exactly one target.
        raise invalid_combination("The request must contain exactly one route target.")
    target_member, target = targets[0]
    if target_member == "GatewayId" and target == "local":
        raise invalid_value("Route target 'local' is reserved for the VPC's own CIDR.")  # ecsd's
    vpc = _target_vpc(unit, target)
    if vpc is not None and vpc != row.vpc:
        raise different_networks(row.id, target)
    if member == "DestinationCidrBlock" and target_member in ("GatewayId", "NatGatewayId"):
        for local in row.doc["Routes"]:
            if local.get("GatewayId") == "local" and ipaddress.ip_network(destination).subnet_of(
                ipaddress.ip_network(local["DestinationCidrBlock"])  # type: ignore[arg-type]
            ):
                raise invalid_value(
                    f"The destination CIDR block {destination} is equal to or more specific "
                    "than one of this VPC's CIDR blocks. This route can target only an "
                    "interface or an instance."
                )
    return {member: destination, target_member: target, "Origin": "CreateRoute", "State": "active"}


def _key(route: dict[str, Any]) -> tuple[str, str]:
    for m in DESTINATIONS:
        if route.get(m):
            return m, route[m]
    return "", ""


def add_route(unit: Unit, route_table_id: str, route: dict[str, Any], *, replace: bool) -> None:
    """CreateRoute (refused if the destination has a route) or ReplaceRoute (refused if
    it has none, or if it is the local route)."""
    row = get(unit, route_table_id)
    new = _route_doc(unit, row, route)
    key = _key(new)
    routes = list(row.doc["Routes"])
    at = next((i for i, r in enumerate(routes) if _key(r) == key), None)
    if replace:
        if at is None:
            raise route_not_found(key[1], row.id)
        if routes[at].get("GatewayId") == "local":
            raise local_route(key[1], row.id)
        routes[at] = new
    else:
        if at is not None:
            raise route_exists(key[1])
        routes.append(new)
    _save(unit, row, {**row.doc, "Routes": routes})


def delete_route(unit: Unit, route_table_id: str, route: dict[str, Any]) -> None:
    row = get(unit, route_table_id)
    key = _destination(route)
    routes = list(row.doc["Routes"])
    at = next((i for i, r in enumerate(routes) if _key(r) == key), None)
    if at is None:
        raise route_not_found(key[1], row.id)
    if routes[at].get("GatewayId") == "local":
        raise local_route(key[1], row.id)
    del routes[at]
    _save(unit, row, {**row.doc, "Routes": routes})


def add_routes_to(unit: Unit, route_table_id: str, routes: list[dict[str, Any]]) -> None:
    """Routes ecsd adds by itself (a gateway endpoint's prefix-list routes): no checks."""
    row = get(unit, route_table_id)
    _save(unit, row, {**row.doc, "Routes": [*row.doc["Routes"], *routes]})


def drop_routes_to(unit: Unit, target_id: str, *, blackhole: bool, only: str | None = None) -> None:
    """A target is gone: its routes become `blackhole` (an internet or NAT gateway, as
    EC2 shows them) or go (an endpoint's routes) — in every table, or in `only`."""
    for row in all_rows(unit):
        if only is not None and row.id != only:
            continue
        routes = row.doc["Routes"]
        if not any(target_id in r.values() for r in routes):
            continue
        if blackhole:
            kept = [{**r, "State": "blackhole"} if target_id in r.values() else r for r in routes]
        else:
            kept = [r for r in routes if target_id not in r.values()]
        _save(unit, row, {**row.doc, "Routes": kept})


# Associations ------------------------------------------------------------------------


def associate(
    unit: Unit, route_table_id: str, *, subnet_id: str | None, gateway_id: str | None
) -> str:
    """AssociateRouteTable: the new association's id."""
    row = get(unit, route_table_id)
    if bool(subnet_id) == bool(gateway_id):
        # ecsd's own text: EC2 wants exactly one of the two.
        raise invalid_combination("The request must contain exactly one of SubnetId or GatewayId.")
    if subnet_id:
        vpc = subnets.get(unit, subnet_id).vpc
        if vpc != row.vpc:
            raise different_networks(row.id, subnet_id)
        column = ec2_rtb_associations.c.subnet
    else:
        assert gateway_id is not None
        if _target_vpc(unit, gateway_id) != row.vpc:
            raise different_networks(row.id, gateway_id)
        column = ec2_rtb_associations.c.gateway
    taken = unit.conn.execute(
        select(ec2_rtb_associations.c.id).where(
            ec2_rtb_associations.c.region == unit.region, column == (subnet_id or gateway_id)
        )
    ).first()
    if taken is not None:
        raise already_associated_route_table(row.id)
    assoc_id = ids.new(ids.ROUTE_TABLE_ASSOCIATION)
    unit.conn.execute(
        insert(ec2_rtb_associations).values(
            region=unit.region,
            id=assoc_id,
            route_table=row.id,
            vpc=row.vpc,
            subnet=subnet_id,
            gateway=gateway_id,
            main_vpc=None,
        )
    )
    return assoc_id


def _association(unit: Unit, association_id: str) -> Row[Any]:
    row = unit.conn.execute(
        select(ec2_rtb_associations).where(
            ec2_rtb_associations.c.region == unit.region,
            ec2_rtb_associations.c.id == association_id,
        )
    ).first()
    if row is None:
        raise association_not_found(association_id)
    return row


def disassociate(unit: Unit, association_id: str) -> None:
    row = _association(unit, association_id)
    if row.main_vpc is not None:
        raise main_association(association_id)
    unit.conn.execute(
        delete(ec2_rtb_associations).where(
            ec2_rtb_associations.c.region == unit.region, ec2_rtb_associations.c.id == row.id
        )
    )


def replace_association(unit: Unit, association_id: str, route_table_id: str) -> str:
    """ReplaceRouteTableAssociation: the association (a subnet's, a gateway's or the
    main one) moves to `route_table_id` under a new id, which is returned."""
    row = _association(unit, association_id)
    table = get(unit, route_table_id)
    if table.vpc != row.vpc:
        raise different_networks(table.id, row.subnet or row.gateway or row.vpc)
    new_id = ids.new(ids.ROUTE_TABLE_ASSOCIATION)
    unit.conn.execute(
        update(ec2_rtb_associations)
        .where(ec2_rtb_associations.c.region == unit.region, ec2_rtb_associations.c.id == row.id)
        .values(id=new_id, route_table=table.id)
    )
    return new_id


def remove(unit: Unit, route_table_id: str) -> None:
    """DeleteRouteTable: refused while anything (a subnet, a gateway, the VPC as its main
    table) is associated with it."""
    row = get(unit, route_table_id)
    if _associations(unit, [row.id]):
        raise dependency("routeTable", row.id)
    _drop(unit, row.id)


def _drop(unit: Unit, route_table_id: str) -> None:
    tags.drop(unit, route_table_id)
    unit.conn.execute(
        delete(ec2_route_tables).where(
            ec2_route_tables.c.region == unit.region, ec2_route_tables.c.id == route_table_id
        )
    )


# The VPC's lifecycle -----------------------------------------------------------------


@vpc_lifecycle.on_vpc_created
def _main_route_table(unit: Unit, vpc: dict[str, Any]) -> None:
    # Derived ids: the default VPC's records come out the same however often they are made.
    doc = create(unit, vpc["VpcId"], rtb_id=ids.derived(ids.ROUTE_TABLE, vpc["VpcId"]))
    unit.conn.execute(
        insert(ec2_rtb_associations).values(
            region=unit.region,
            id=ids.derived(ids.ROUTE_TABLE_ASSOCIATION, vpc["VpcId"]),
            route_table=doc["RouteTableId"],
            vpc=vpc["VpcId"],
            subnet=None,
            gateway=None,
            main_vpc=vpc["VpcId"],
        )
    )


@vpc_lifecycle.vpc_blocker
def _other_route_tables(unit: Unit, vpc_id: str) -> bool:
    main = main_of(unit, vpc_id)
    return any(
        r.id != main
        for r in unit.conn.execute(
            select(ec2_route_tables.c.id).where(
                ec2_route_tables.c.region == unit.region, ec2_route_tables.c.vpc == vpc_id
            )
        )
    )


@vpc_lifecycle.on_vpc_deleted
def _drop_route_tables(unit: Unit, vpc_id: str) -> None:
    unit.conn.execute(
        delete(ec2_rtb_associations).where(
            ec2_rtb_associations.c.region == unit.region, ec2_rtb_associations.c.vpc == vpc_id
        )
    )
    for r in unit.conn.execute(
        select(ec2_route_tables.c.id).where(
            ec2_route_tables.c.region == unit.region, ec2_route_tables.c.vpc == vpc_id
        )
    ).all():
        _drop(unit, r.id)


@vpc_lifecycle.on_subnet_deleted
def _drop_subnet_association(unit: Unit, subnet_id: str) -> None:
    # EC2 drops a deleted subnet's association with it.
    unit.conn.execute(
        delete(ec2_rtb_associations).where(
            ec2_rtb_associations.c.region == unit.region,
            ec2_rtb_associations.c.subnet == subnet_id,
        )
    )

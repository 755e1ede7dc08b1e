"""Internet gateways in the store: create, attach to one VPC (a VPC takes one), detach,
delete (refused while attached); a VPC with a gateway attached cannot be deleted. The
region's default VPC gets one, attached, with a 0.0.0.0/0 route in its main route
table, as AWS makes it.

An attached gateway's attachment state is `available`: EC2 says so for internet
gateways (not `attached`), and Terraform's waiter waits for exactly that.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from ...core.unit import Unit
from ...store.schema.ec2_routing import ec2_internet_gateways
from . import ids, route_tables, tags, vpc_lifecycle
from .errors import dependency, not_found
from .routing_errors import gateway_attached, gateway_not_attached, vpc_has_gateway

FIELDS: dict[str, Any] = {
    "internet-gateway-id": lambda d: d["InternetGatewayId"],
    "owner-id": lambda d: d["OwnerId"],
    "attachment.vpc-id": lambda d: [a["VpcId"] for a in d["Attachments"]],
    "attachment.state": lambda d: [a["State"] for a in d["Attachments"]],
}


def find(unit: Unit, gateway_id: str) -> Row[Any] | None:
    return unit.conn.execute(
        select(ec2_internet_gateways).where(
            ec2_internet_gateways.c.region == unit.region,
            ec2_internet_gateways.c.id == gateway_id,
        )
    ).first()


def get(unit: Unit, gateway_id: str) -> Row[Any]:
    row = find(unit, gateway_id)
    if row is None:
        raise not_found(ids.INTERNET_GATEWAY, gateway_id)
    return row


tags.taggable(ids.INTERNET_GATEWAY, "internet-gateway", lambda u, i: find(u, i) is not None)


def all_rows(unit: Unit) -> list[Row[Any]]:
    return list(
        unit.conn.execute(
            select(ec2_internet_gateways).where(ec2_internet_gateways.c.region == unit.region)
        )
    )


def view(unit: Unit, rows: list[Row[Any]]) -> list[dict[str, Any]]:
    tag_maps = tags.of(unit, [r.id for r in rows])
    return [
        {
            **r.doc,
            "Attachments": [{"State": "available", "VpcId": r.vpc}] if r.vpc else [],
            "Tags": tags.listed(tag_maps.get(r.id, {})),
        }
        for r in rows
    ]


def create(
    unit: Unit, *, tag_list: list[dict[str, str]] | None = None, gateway_id: str | None = None
) -> dict[str, Any]:
    gateway_id = gateway_id or ids.new(ids.INTERNET_GATEWAY)
    doc = {"InternetGatewayId": gateway_id, "OwnerId": unit.account}
    unit.conn.execute(
        insert(ec2_internet_gateways).values(region=unit.region, id=gateway_id, vpc=None, doc=doc)
    )
    if tag_list:
        tags.put(unit, gateway_id, tag_list)
    return doc


def _by_vpc(unit: Unit, vpc_id: str) -> Row[Any] | None:
    return unit.conn.execute(
        select(ec2_internet_gateways.c.id).where(
            ec2_internet_gateways.c.region == unit.region, ec2_internet_gateways.c.vpc == vpc_id
        )
    ).first()


def attach(unit: Unit, gateway_id: str, vpc_id: str) -> None:
    row = get(unit, gateway_id)
    route_tables.vpc_doc(unit, vpc_id)  # the VPC exists
    if row.vpc is not None:
        raise gateway_attached(row.id, row.vpc)
    if _by_vpc(unit, vpc_id) is not None:
        raise vpc_has_gateway(vpc_id)
    _set_vpc(unit, row.id, vpc_id)


def detach(unit: Unit, gateway_id: str, vpc_id: str) -> None:
    row = get(unit, gateway_id)
    if row.vpc != vpc_id:
        raise gateway_not_attached(row.id, vpc_id)
    _set_vpc(unit, row.id, None)


def _set_vpc(unit: Unit, gateway_id: str, vpc_id: str | None) -> None:
    unit.conn.execute(
        update(ec2_internet_gateways)
        .where(
            ec2_internet_gateways.c.region == unit.region,
            ec2_internet_gateways.c.id == gateway_id,
        )
        .values(vpc=vpc_id)
    )


def remove(unit: Unit, gateway_id: str) -> None:
    """DeleteInternetGateway: refused while attached; routes to it become blackholes."""
    row = get(unit, gateway_id)
    if row.vpc is not None:
        raise dependency("internetGateway", row.id)
    route_tables.drop_routes_to(unit, row.id, blackhole=True)
    tags.drop(unit, row.id)
    unit.conn.execute(
        delete(ec2_internet_gateways).where(
            ec2_internet_gateways.c.region == unit.region,
            ec2_internet_gateways.c.id == row.id,
        )
    )


@vpc_lifecycle.on_vpc_created
def _default_vpc_gateway(unit: Unit, vpc: dict[str, Any]) -> None:
    # Runs after route_tables' hook (this module imports it first): the main table exists.
    if not vpc["IsDefault"]:
        return
    gateway_id = ids.derived(ids.INTERNET_GATEWAY, vpc["VpcId"])
    create(unit, gateway_id=gateway_id)
    _set_vpc(unit, gateway_id, vpc["VpcId"])
    main = route_tables.main_of(unit, vpc["VpcId"])
    assert main is not None
    route_tables.add_route(
        unit, main, {"DestinationCidrBlock": "0.0.0.0/0", "GatewayId": gateway_id}, replace=False
    )


@vpc_lifecycle.vpc_blocker
def _gateway_attached(unit: Unit, vpc_id: str) -> bool:
    return _by_vpc(unit, vpc_id) is not None

"""VPC endpoints in the store: gateway endpoints (S3, DynamoDB: a route to the
service's prefix list in each of their route tables) and interface endpoints (one
network interface per subnet, security groups, DNS names), created `available`;
ModifyVpcEndpoint; DeleteVpcEndpoints. A VPC with endpoints, or a subnet with an
interface endpoint, cannot be deleted.

Nothing is served through them: the records are what Terraform's aws_vpc_endpoint and
the tutorials' private-subnet setups (ECR, logs, S3 without a NAT gateway) create. The
interface ids and DNS names are ecsd's own, as are the prefix lists' CIDRs (taken from
the documentation range 192.0.2.0/24 of RFC 5737: they route nowhere).
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from ...aws.errors import AwsError
from ...core.unit import Unit
from ...store.schema.ec2_routing import ec2_vpc_endpoints
from . import (
    ids,
    interfaces,
    owned_interfaces,
    route_tables,
    security_groups,
    subnets,
    tags,
    vpc_lifecycle,
)
from .errors import invalid_value, not_found
from .routing_errors import different_networks

# The services ecsd knows endpoints for: a short name -> the endpoint types it offers.
# (The ones ecsd itself emulates, plus what ECS on private subnets needs.)
SERVICES: dict[str, tuple[str, ...]] = {
    "s3": ("Gateway", "Interface"),
    "dynamodb": ("Gateway",),
    "ecr.api": ("Interface",),
    "ecr.dkr": ("Interface",),
    "ecs": ("Interface",),
    "ecs-agent": ("Interface",),
    "ecs-telemetry": ("Interface",),
    "logs": ("Interface",),
    "monitoring": ("Interface",),
    "elasticloadbalancing": ("Interface",),
    "secretsmanager": ("Interface",),
    "ssm": ("Interface",),
    "ssmmessages": ("Interface",),
    "ec2messages": ("Interface",),
    "sts": ("Interface",),
    "kms": ("Interface",),
}
# The gateway services' prefix lists' CIDRs (ecsd's own: RFC 5737 documentation range).
PREFIX_CIDRS = {"s3": ["192.0.2.0/25"], "dynamodb": ["192.0.2.128/25"]}
# What an endpoint's policy is when none is given: EC2's full-access default.
DEFAULT_POLICY = json.dumps(
    {
        "Version": "2008-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"}],
    }
)
TYPES = ("Gateway", "Interface")

FIELDS: dict[str, Any] = {
    "vpc-endpoint-id": lambda d: d["VpcEndpointId"],
    "vpc-id": lambda d: d["VpcId"],
    "service-name": lambda d: d["ServiceName"],
    "vpc-endpoint-state": lambda d: d["State"],
    "vpc-endpoint-type": lambda d: d["VpcEndpointType"],
}
PREFIX_LIST_FIELDS: dict[str, Any] = {
    "prefix-list-id": lambda d: d["PrefixListId"],
    "prefix-list-name": lambda d: d["PrefixListName"],
}
SERVICE_FIELDS: dict[str, Any] = {
    "service-name": lambda d: d["ServiceName"],
    "service-type": lambda d: [t["ServiceType"] for t in d["ServiceType"]],
}


def service_name(region: str, short: str) -> str:
    return f"com.amazonaws.{region}.{short}"


def _short(region: str, name: str) -> str | None:
    prefix = f"com.amazonaws.{region}."
    short = name[len(prefix) :] if name.startswith(prefix) else None
    return short if short in SERVICES else None


def prefix_lists(unit: Unit) -> list[dict[str, Any]]:
    """The region's AWS-managed prefix lists (one per gateway service)."""
    return [
        {
            "PrefixListId": ids.derived("pl", unit.region, short),
            "PrefixListName": service_name(unit.region, short),
            "Cidrs": cidrs,
        }
        for short, cidrs in PREFIX_CIDRS.items()
    ]


def services(unit: Unit) -> list[dict[str, Any]]:
    """The endpoint services of the region, as DescribeVpcEndpointServices lists them."""
    zones = [f"{unit.region}{z}" for z in "abc"]
    return [
        {
            "ServiceName": service_name(unit.region, short),
            "ServiceId": ids.derived("vpce-svc", unit.region, short),
            "ServiceType": [{"ServiceType": t} for t in types],
            "AvailabilityZones": zones,
            "Owner": "amazon",
            "BaseEndpointDnsNames": [f"{short}.{unit.region}.vpce.amazonaws.com"],
            "VpcEndpointPolicySupported": True,
            "AcceptanceRequired": False,
            "ManagesVpcEndpoints": False,
            "SupportedIpAddressTypes": ["ipv4"],
        }
        for short, types in SERVICES.items()
    ]


def find(unit: Unit, endpoint_id: str) -> Row[Any] | None:
    return unit.conn.execute(
        select(ec2_vpc_endpoints).where(
            ec2_vpc_endpoints.c.region == unit.region, ec2_vpc_endpoints.c.id == endpoint_id
        )
    ).first()


def get(unit: Unit, endpoint_id: str) -> Row[Any]:
    row = find(unit, endpoint_id)
    if row is None:
        raise not_found(ids.VPC_ENDPOINT, endpoint_id)
    return row


tags.taggable(ids.VPC_ENDPOINT, "vpc-endpoint", lambda u, i: find(u, i) is not None)


def all_rows(unit: Unit) -> list[Row[Any]]:
    return list(
        unit.conn.execute(
            select(ec2_vpc_endpoints).where(ec2_vpc_endpoints.c.region == unit.region)
        )
    )


def view(unit: Unit, rows: list[Row[Any]]) -> list[dict[str, Any]]:
    tag_maps = tags.of(unit, [r.id for r in rows])
    return [{**r.doc, "Tags": tags.listed(tag_maps.get(r.id, {}))} for r in rows]


def _policy(document: str | None) -> str:
    if document is None:
        return DEFAULT_POLICY
    try:
        parsed = json.loads(document)
    except ValueError:
        parsed = None
    if not isinstance(parsed, dict):
        # ecsd's own text.
        raise AwsError("MalformedPolicy", "The policy document is not valid JSON.")
    return document


def _check_tables(unit: Unit, vpc_id: str, table_ids: list[str]) -> None:
    for rtb_id in table_ids:
        if route_tables.get(unit, rtb_id).vpc != vpc_id:
            raise different_networks(rtb_id, vpc_id)


def _check_subnets(unit: Unit, vpc_id: str, subnet_ids: list[str]) -> None:
    zones: set[str] = set()
    for subnet_id in subnet_ids:
        row = subnets.get(unit, subnet_id)
        if row.vpc != vpc_id:
            raise invalid_value(f"The subnet ID '{subnet_id}' does not belong to {vpc_id}.")
        zone = row.doc["AvailabilityZone"]
        if zone in zones:
            # EC2 takes one subnet per zone for an interface endpoint (ecsd's own text).
            raise AwsError("DuplicateSubnetsInSameZone", f"Found another subnet in zone {zone}.")
        zones.add(zone)


def _groups(unit: Unit, vpc_id: str, group_ids: list[str]) -> list[dict[str, str]]:
    out = []
    for group_id in group_ids:
        row = security_groups.get(unit, group_id)
        if row.vpc != vpc_id:
            raise invalid_value(f"The security group '{group_id}' does not belong to {vpc_id}.")
        out.append({"GroupId": row.id, "GroupName": row.name})
    return out


def _gateway_route(unit: Unit, short: str, endpoint_id: str) -> dict[str, Any]:
    return {
        "DestinationPrefixListId": ids.derived("pl", unit.region, short),
        "GatewayId": endpoint_id,
        "Origin": "CreateRoute",
        "State": "active",
    }


def _place(
    unit: Unit, have: dict[str, dict[str, str]], subnet_ids: list[str]
) -> dict[str, dict[str, str]]:
    """One ENI per subnet: the ones the endpoint has kept, new ones for new subnets."""
    out: dict[str, dict[str, str]] = {}
    for subnet_id in sorted(subnet_ids):
        if subnet_id in have:
            out[subnet_id] = have[subnet_id]
        else:
            ip = owned_interfaces.free_ip(unit, subnets.get(unit, subnet_id))
            out[subnet_id] = {"eni": owned_interfaces.new_id(), "ip": ip}
    return out


def create(
    unit: Unit,
    vpc_id: str,
    name: str,
    *,
    kind: str = "Gateway",
    route_table_ids: list[str] | None = None,
    subnet_ids: list[str] | None = None,
    group_ids: list[str] | None = None,
    policy: str | None = None,
    private_dns: bool | None = None,
    tag_list: list[dict[str, str]] | None = None,
) -> dict[str, Any]:
    route_tables.vpc_doc(unit, vpc_id)
    short = _short(unit.region, name)
    if short is None:
        raise AwsError("InvalidServiceName", f"The Vpc Endpoint Service '{name}' does not exist")
    if kind not in TYPES:
        raise invalid_value(
            f"Value ({kind}) for parameter vpcEndpointType is invalid."
        )  # ecsd's own text
    if kind not in SERVICES[short]:
        # ecsd's own text.
        raise invalid_value(f"The Vpc Endpoint Service '{name}' does not support {kind} endpoints.")
    endpoint_id = ids.new(ids.VPC_ENDPOINT)
    placed: dict[str, dict[str, str]] = {}
    doc: dict[str, Any] = {
        "VpcEndpointId": endpoint_id,
        "VpcEndpointType": kind,
        "VpcId": vpc_id,
        "ServiceName": name,
        "State": "available",
        "PolicyDocument": _policy(policy),
        "RouteTableIds": [],
        "SubnetIds": [],
        "Groups": [],
        "IpAddressType": "ipv4",
        "DnsOptions": {"DnsRecordIpType": "ipv4"},
        "PrivateDnsEnabled": False,
        "RequesterManaged": False,
        "NetworkInterfaceIds": [],
        "DnsEntries": [],
        "CreationTimestamp": unit.now,
        "OwnerId": unit.account,
    }
    if kind == "Gateway":
        if subnet_ids or group_ids:
            # ecsd's own text: gateway endpoints live in route tables only.
            raise invalid_value("A Gateway endpoint takes route tables, not subnets or groups.")
        _check_tables(unit, vpc_id, route_table_ids or [])
        doc["RouteTableIds"] = sorted(set(route_table_ids or []))
    else:
        if route_table_ids:
            raise invalid_value("An Interface endpoint takes subnets, not route tables.")
        _check_subnets(unit, vpc_id, subnet_ids or [])
        default = security_groups.default_of(unit, vpc_id)
        given = group_ids or ([default.id] if default is not None else [])
        doc["Groups"] = _groups(unit, vpc_id, given)
        doc["SubnetIds"] = sorted(subnet_ids or [])
        placed = _place(unit, {}, doc["SubnetIds"])
        doc["NetworkInterfaceIds"] = [p["eni"] for p in placed.values()]
        doc["PrivateDnsEnabled"] = True if private_dns is None else private_dns
        doc["DnsEntries"] = [
            {
                "DnsName": f"{endpoint_id}.{short}.{unit.region}.vpce.amazonaws.com",
                "HostedZoneId": "Z7HUB22UULQXV",  # ecsd's own
            }
        ]
    unit.conn.execute(
        insert(ec2_vpc_endpoints).values(
            region=unit.region,
            id=endpoint_id,
            vpc=vpc_id,
            doc=doc,
            interfaces=placed if kind == "Interface" else {},
        )
    )
    for rtb_id in doc["RouteTableIds"]:
        route_tables.add_routes_to(unit, rtb_id, [_gateway_route(unit, short, endpoint_id)])
    if tag_list:
        tags.put(unit, endpoint_id, tag_list)
    return doc


def modify(unit: Unit, endpoint_id: str, changes: dict[str, Any]) -> None:
    """ModifyVpcEndpoint: route tables, subnets, groups, policy, private DNS."""
    row = get(unit, endpoint_id)
    doc = dict(row.doc)
    short = _short(unit.region, doc["ServiceName"]) or ""
    gateway = doc["VpcEndpointType"] == "Gateway"
    add_tables = changes.get("AddRouteTableIds") or []
    drop_tables = changes.get("RemoveRouteTableIds") or []
    if (add_tables or drop_tables) and not gateway:
        raise invalid_value("An Interface endpoint takes subnets, not route tables.")
    if gateway and any(
        changes.get(k) for k in ("AddSubnetIds", "AddSecurityGroupIds", "RemoveSubnetIds")
    ):
        raise invalid_value("A Gateway endpoint takes route tables, not subnets or groups.")
    _check_tables(unit, row.vpc, add_tables)
    tables = [t for t in doc["RouteTableIds"] if t not in drop_tables]
    tables += [t for t in add_tables if t not in tables]
    subnet_ids = [s for s in doc["SubnetIds"] if s not in (changes.get("RemoveSubnetIds") or [])]
    subnet_ids += [s for s in changes.get("AddSubnetIds") or [] if s not in subnet_ids]
    _check_subnets(unit, row.vpc, subnet_ids)
    group_ids = [
        g["GroupId"]
        for g in doc["Groups"]
        if g["GroupId"] not in (changes.get("RemoveSecurityGroupIds") or [])
    ]
    group_ids += [g for g in changes.get("AddSecurityGroupIds") or [] if g not in group_ids]
    doc["Groups"] = _groups(unit, row.vpc, group_ids)
    if changes.get("ResetPolicy"):
        doc["PolicyDocument"] = DEFAULT_POLICY
    elif changes.get("PolicyDocument") is not None:
        doc["PolicyDocument"] = _policy(changes["PolicyDocument"])
    if changes.get("PrivateDnsEnabled") is not None and not gateway:
        doc["PrivateDnsEnabled"] = bool(changes["PrivateDnsEnabled"])
    for rtb_id in drop_tables:
        if rtb_id in doc["RouteTableIds"]:
            _drop_route(unit, rtb_id, row.id)
    for rtb_id in add_tables:
        if rtb_id not in doc["RouteTableIds"]:
            route_tables.add_routes_to(unit, rtb_id, [_gateway_route(unit, short, row.id)])
    doc["RouteTableIds"] = sorted(tables)
    doc["SubnetIds"] = sorted(subnet_ids)
    placed = {} if gateway else _place(unit, dict(row.interfaces), doc["SubnetIds"])
    doc["NetworkInterfaceIds"] = [p["eni"] for p in placed.values()]
    unit.conn.execute(
        update(ec2_vpc_endpoints)
        .where(ec2_vpc_endpoints.c.region == unit.region, ec2_vpc_endpoints.c.id == row.id)
        .values(doc=doc, interfaces=placed)
    )


def _drop_route(unit: Unit, rtb_id: str, endpoint_id: str) -> None:
    route_tables.drop_routes_to(unit, endpoint_id, blackhole=False, only=rtb_id)


def remove(unit: Unit, endpoint_id: str) -> None:
    row = get(unit, endpoint_id)
    route_tables.drop_routes_to(unit, row.id, blackhole=False)
    tags.drop(unit, row.id)
    unit.conn.execute(
        delete(ec2_vpc_endpoints).where(
            ec2_vpc_endpoints.c.region == unit.region, ec2_vpc_endpoints.c.id == row.id
        )
    )


@interfaces.source
def _interfaces(unit: Unit) -> list[dict[str, Any]]:
    """Each interface endpoint's ENIs, one per subnet."""
    out = []
    for r in all_rows(unit):
        for subnet_id, placed in sorted(r.interfaces.items()):
            out.append(
                owned_interfaces.doc(
                    unit,
                    placed["eni"],
                    subnets.get(unit, subnet_id).doc,
                    placed["ip"],
                    kind="vpc_endpoint",
                    description=f"VPC Endpoint Interface {r.id}",
                    groups=r.doc["Groups"],
                )
            )
    return out


@vpc_lifecycle.vpc_blocker
def _endpoints_in_vpc(unit: Unit, vpc_id: str) -> bool:
    return (
        unit.conn.execute(
            select(ec2_vpc_endpoints.c.id).where(
                ec2_vpc_endpoints.c.region == unit.region, ec2_vpc_endpoints.c.vpc == vpc_id
            )
        ).first()
        is not None
    )


@vpc_lifecycle.subnet_blocker
def _interface_in_subnet(unit: Unit, subnet_id: str) -> bool:
    return any(subnet_id in r.doc["SubnetIds"] for r in all_rows(unit))

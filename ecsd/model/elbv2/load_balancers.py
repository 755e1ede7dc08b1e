"""Load balancer records: create, read, list, change attributes, delete.

A load balancer is answered `provisioning` by CreateLoadBalancer and stored `active`:
there is nothing to provision here, and real clients (Terraform, the CLI's waiter) poll
DescribeLoadBalancers until `active`, so the first describe already ends their wait.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import Row, delete, insert, select, update

from ...core.bus import LoadBalancingChanged
from ...core.unit import Unit
from ...model.keyset import Keyset
from ...store.schema.elbv2 import elbv2_load_balancers as lbs
from . import arns, defaults


def default_vpc(unit: Unit) -> str:
    """The VPC a load balancer is in when its subnets are not records ecsd knows (ecsd
    has no EC2): one stable id per account and region."""
    digest = hashlib.sha256(f"{unit.account}/{unit.region}".encode()).hexdigest()
    return f"vpc-{digest[:17]}"


def dns_name(unit: Unit, name: str, arn: str, scheme: str) -> str:
    # `<name>-<10 digits>.<region>.elb.localhost` (`internal-` first for an internal
    # scheme): AWS's shape, under `.localhost` so that curl and browsers resolve it to
    # loopback with no /etc/hosts entry.
    digits = int(hashlib.sha256(arn.encode()).hexdigest(), 16) % 10**10
    prefix = "internal-" if scheme == "internal" else ""
    return f"{prefix}{name}-{digits:010d}.{unit.region}.elb.localhost"


def zones_for(
    unit: Unit, subnets: list[str], mappings: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """AvailabilityZones from the subnets: `<region>a`, `b`, … in the order given (ecsd
    knows no subnet records, so a subnet's zone is its position)."""
    entries: list[dict[str, Any]] = []
    ids = [m["SubnetId"] for m in mappings] if mappings else list(subnets)
    for i, subnet in enumerate(ids):
        zone = f"{unit.region}{chr(ord('a') + i % 26)}"
        entries.append({"ZoneName": zone, "SubnetId": subnet, "LoadBalancerAddresses": []})
    return entries


def create(unit: Unit, doc: dict[str, Any], attributes: dict[str, str]) -> None:
    unit.conn.execute(
        insert(lbs).values(
            arn=doc["LoadBalancerArn"],
            region=unit.region,
            name=doc["LoadBalancerName"],
            created=unit.now,
            doc=doc,
            attributes=attributes,
        )
    )
    unit.record(LoadBalancingChanged())


def get_row(unit: Unit, arn: str) -> Row[Any] | None:
    return unit.conn.execute(select(lbs).where(lbs.c.arn == arn)).first()


def by_name(unit: Unit, name: str) -> Row[Any] | None:
    return unit.conn.execute(
        select(lbs).where(lbs.c.region == unit.region, lbs.c.name == name)
    ).first()


def get(unit: Unit, arn: str) -> dict[str, Any] | None:
    row = get_row(unit, arn)
    return dict(row.doc) if row is not None else None


def count(unit: Unit) -> int:
    return len(unit.conn.execute(select(lbs.c.arn).where(lbs.c.region == unit.region)).all())


def listing(unit: Unit) -> Keyset:
    """Every load balancer of the region, by name (DescribeLoadBalancers' order)."""
    return Keyset(select(lbs).where(lbs.c.region == unit.region), [lbs.c.name])


def every(unit: Unit) -> list[Row[Any]]:
    """Every load balancer in every region (the data plane serves them all)."""
    return list(unit.conn.execute(select(lbs).order_by(lbs.c.created, lbs.c.arn)))


def set_attributes(unit: Unit, arn: str, attributes: dict[str, str]) -> None:
    unit.conn.execute(update(lbs).where(lbs.c.arn == arn).values(attributes=attributes))
    unit.record(LoadBalancingChanged())


def set_doc(unit: Unit, arn: str, doc: dict[str, Any]) -> None:
    unit.conn.execute(update(lbs).where(lbs.c.arn == arn).values(doc=doc))
    unit.record(LoadBalancingChanged())


def delete_row(unit: Unit, arn: str) -> None:
    """The load balancer's row only: its listeners and rules are listeners.delete_for's."""
    unit.conn.execute(delete(lbs).where(lbs.c.arn == arn))
    unit.record(LoadBalancingChanged())


def new_doc(
    unit: Unit,
    name: str,
    *,
    scheme: str,
    subnets: list[str],
    mappings: list[dict[str, Any]],
    security_groups: list[str],
    ip_address_type: str,
) -> dict[str, Any]:
    arn = arns.load_balancer(unit, name)
    return {
        "LoadBalancerArn": arn,
        "DNSName": dns_name(unit, name, arn, scheme),
        "CanonicalHostedZoneId": defaults.hosted_zone(unit.region),
        "CreatedTime": unit.now,
        "LoadBalancerName": name,
        "Scheme": scheme,
        "VpcId": default_vpc(unit),
        "State": {"Code": "active"},
        "Type": "application",
        "AvailabilityZones": zones_for(unit, subnets, mappings),
        "SecurityGroups": security_groups,
        "IpAddressType": ip_address_type,
    }

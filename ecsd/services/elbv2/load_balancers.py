"""CreateLoadBalancer, DescribeLoadBalancers, DeleteLoadBalancer (type application), and
the setters Terraform updates a load balancer with: SetSecurityGroups, SetSubnets,
SetIpAddressType."""

from __future__ import annotations

import hashlib
from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.elbv2 import arns, defaults, listeners, load_balancers, tags
from ...model.elbv2.defaults import invalid
from . import common, paging
from .api import elbv2

MAX_LOAD_BALANCERS = 50  # per region, AWS's quota


def _security_groups(ctx: Context, given: list[str] | None) -> list[str]:
    if given:
        return list(given)
    # No group given: AWS uses the VPC's default security group.
    digest = hashlib.sha256(f"sg/{ctx.account}/{ctx.region}".encode()).hexdigest()
    return [f"sg-{digest[:17]}"]


def _same_settings(doc: dict[str, Any], new: dict[str, Any]) -> bool:
    keys = ("Scheme", "Type", "IpAddressType", "SecurityGroups")
    zones = [z["SubnetId"] for z in doc["AvailabilityZones"]]
    return all(doc[k] == new[k] for k in keys) and zones == [
        z["SubnetId"] for z in new["AvailabilityZones"]
    ]


@elbv2.operation("CreateLoadBalancer", write=True)
def create_load_balancer(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    name = p["Name"]
    defaults.check_name("Load balancer", name)
    if p.get("Type", "application") != "application":
        # ecsd's own wording: Network and Gateway Load Balancers are not served.
        raise invalid(
            f"Load balancer type '{p['Type']}' is not supported by ecsd; use 'application'"
        )
    subnets = p.get("Subnets") or []
    mappings = p.get("SubnetMappings") or []
    if subnets and mappings:
        raise invalid("You can specify subnets or subnet mappings, not both")  # ecsd's own
    ids = subnets or [m["SubnetId"] for m in mappings]
    if len(set(ids)) < 2:
        raise invalid("At least two subnets in two different Availability Zones must be specified")
    doc = load_balancers.new_doc(
        ctx,
        name,
        scheme=p.get("Scheme") or "internet-facing",
        subnets=subnets,
        mappings=mappings,
        security_groups=_security_groups(ctx, p.get("SecurityGroups")),
        ip_address_type=p.get("IpAddressType") or "ipv4",
    )
    given_tags = common.check_tags(p.get("Tags"))
    existing = load_balancers.by_name(ctx, name)
    if existing is not None:
        # CreateLoadBalancer is idempotent: the same settings answer the existing one.
        if _same_settings(existing.doc, doc):
            return {"LoadBalancers": [existing.doc]}
        raise AwsError(
            "DuplicateLoadBalancerName",
            f"A load balancer with the same name '{name}' exists, but with different settings",
        )
    if load_balancers.count(ctx) >= MAX_LOAD_BALANCERS:
        raise AwsError(
            "TooManyLoadBalancers", "The quota for the number of load balancers has been reached"
        )  # ecsd's own wording
    load_balancers.create(ctx, doc, defaults.defaults(defaults.LB_ATTRIBUTES))
    if given_tags:
        tags.put(ctx, doc["LoadBalancerArn"], given_tags)
    # Answered as provisioning, stored active: the first describe ends a client's wait.
    return {"LoadBalancers": [{**doc, "State": {"Code": "provisioning"}}]}


@elbv2.operation("DescribeLoadBalancers")
def describe_load_balancers(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    arns_given, names = p.get("LoadBalancerArns"), p.get("Names")
    if arns_given and names:
        raise invalid(
            "Load balancer names and load balancer ARNs cannot be specified at the same time"
        )
    if arns_given:
        return {
            "LoadBalancers": [common.load_balancer(ctx, a).doc for a in dict.fromkeys(arns_given)]
        }
    if names:
        found, missing = [], []
        for n in dict.fromkeys(names):
            row = load_balancers.by_name(ctx, n)
            (found.append(row.doc) if row is not None else missing.append(n))
        if missing:
            raise AwsError(
                "LoadBalancerNotFound", f"Load balancers '[{', '.join(missing)}]' not found"
            )
        return {"LoadBalancers": found}
    rows, marker = paging.page(ctx, load_balancers.listing(ctx), p)
    return paging.answer("LoadBalancers", [r.doc for r in rows], marker)


@elbv2.operation("DeleteLoadBalancer", write=True)
def delete_load_balancer(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    arn = p["LoadBalancerArn"]
    common.check_arn(arn, "loadbalancer")
    row = load_balancers.get_row(ctx, arn) if arns.region_of(arn) == ctx.region else None
    if row is None:
        return {}  # "If the load balancer does not exist or has already been deleted, the call succeeds."
    if row.attributes.get("deletion_protection.enabled") == "true":
        raise AwsError(
            "OperationNotPermitted",
            f"Load balancer '{arn}' cannot be deleted because deletion protection is enabled",
        )
    for listener in listeners.of(ctx, arn):
        listeners.delete_listener(ctx, listener.arn)
    tags.drop(ctx, arn)
    load_balancers.delete_row(ctx, arn)
    return {}


@elbv2.operation("SetSecurityGroups", write=True)
def set_security_groups(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = common.load_balancer(ctx, p["LoadBalancerArn"])
    groups = _security_groups(ctx, p["SecurityGroups"])
    load_balancers.set_doc(ctx, row.arn, {**row.doc, "SecurityGroups": groups})
    return {"SecurityGroupIds": groups}


@elbv2.operation("SetSubnets", write=True)
def set_subnets(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = common.load_balancer(ctx, p["LoadBalancerArn"])
    subnets = p.get("Subnets") or []
    mappings = p.get("SubnetMappings") or []
    if subnets and mappings:
        raise invalid("You can specify subnets or subnet mappings, not both")  # ecsd's own
    if len(set(subnets or [m["SubnetId"] for m in mappings])) < 2:
        raise invalid("At least two subnets in two different Availability Zones must be specified")
    zones = load_balancers.zones_for(ctx, subnets, mappings)
    ip_type = p.get("IpAddressType") or row.doc["IpAddressType"]
    doc = {**row.doc, "AvailabilityZones": zones, "IpAddressType": ip_type}
    load_balancers.set_doc(ctx, row.arn, doc)
    return {"AvailabilityZones": zones, "IpAddressType": ip_type}


@elbv2.operation("SetIpAddressType", write=True)
def set_ip_address_type(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = common.load_balancer(ctx, p["LoadBalancerArn"])
    load_balancers.set_doc(ctx, row.arn, {**row.doc, "IpAddressType": p["IpAddressType"]})
    return {"IpAddressType": p["IpAddressType"]}

"""CreateTargetGroup, DescribeTargetGroups, ModifyTargetGroup, DeleteTargetGroup
(target types ip and instance, protocols HTTP and HTTPS: what an Application Load
Balancer forwards to)."""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.elbv2 import arns, defaults, tags, target_groups
from ...model.elbv2.defaults import invalid
from . import common, paging
from .api import elbv2

MAX_TARGET_GROUPS = 3000  # per region, AWS's quota
HEALTH_KEYS = (
    "HealthCheckProtocol",
    "HealthCheckPort",
    "HealthCheckEnabled",
    "HealthCheckIntervalSeconds",
    "HealthCheckTimeoutSeconds",
    "HealthyThresholdCount",
    "UnhealthyThresholdCount",
    "HealthCheckPath",
    "Matcher",
)


def _health(doc: dict[str, Any], p: dict[str, Any]) -> dict[str, Any]:
    """`doc` with the health-check settings `p` gives, checked."""
    out = dict(doc)
    for key in HEALTH_KEYS:
        if p.get(key) is not None:
            out[key] = p[key]
    if "Matcher" in p and p["Matcher"] is not None:
        matcher = {k: v for k, v in p["Matcher"].items() if v is not None}
        if not matcher:
            raise invalid("A matcher must specify an HTTP code or a gRPC code")  # ecsd's own
        out["Matcher"] = matcher
    defaults.check_health_check(out)
    return out


@elbv2.operation("CreateTargetGroup", write=True)
def create_target_group(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    name = p["Name"]
    defaults.check_name("Target group", name)
    target_type = p.get("TargetType") or "instance"
    if target_type not in ("ip", "instance"):
        # ecsd's own wording: Lambda and ALB targets are not served.
        raise invalid(
            f"Target type '{target_type}' is not supported by ecsd; use 'ip' or 'instance'"
        )
    for key, what in (("Protocol", "A protocol"), ("Port", "A port"), ("VpcId", "A VPC ID")):
        if p.get(key) is None:
            raise invalid(
                f"{what} must be specified for target groups with target type '{target_type}'"
            )
    protocol = p["Protocol"]
    if protocol not in ("HTTP", "HTTPS"):
        # ecsd's own wording: TCP, TLS, UDP... are Network Load Balancer protocols.
        raise invalid(
            f"Protocol '{protocol}' is not supported by ecsd: an Application Load Balancer "
            "target group uses HTTP or HTTPS"
        )
    version = p.get("ProtocolVersion") or "HTTP1"
    if version not in ("HTTP1", "HTTP2", "GRPC"):
        raise invalid(f"Protocol version '{version}' must be one of HTTP1, HTTP2, GRPC")
    base: dict[str, Any] = {
        "TargetGroupArn": "",
        "TargetGroupName": name,
        "Protocol": protocol,
        "Port": p["Port"],
        "VpcId": p["VpcId"],
        **defaults.HEALTH_CHECK_DEFAULTS,
        "HealthCheckProtocol": protocol,
        "Matcher": {"GrpcCode": "12"} if version == "GRPC" else {"HttpCode": "200"},
        "TargetType": target_type,
        "ProtocolVersion": version,
        "IpAddressType": p.get("IpAddressType") or "ipv4",
    }
    doc = _health(base, p)
    given_tags = common.check_tags(p.get("Tags"))
    existing = target_groups.by_name(ctx, name)
    if existing is not None:
        # CreateTargetGroup is idempotent: the same settings answer the existing group.
        same = {**doc, "TargetGroupArn": existing.doc["TargetGroupArn"]}
        if same == existing.doc:
            return {"TargetGroups": [target_groups.describe(ctx, existing)]}
        raise AwsError(
            "DuplicateTargetGroupName",
            f"A target group with the same name '{name}' exists, but with different settings",
        )
    if target_groups.count(ctx) >= MAX_TARGET_GROUPS:
        raise AwsError(
            "TooManyTargetGroups", "The quota for the number of target groups has been reached"
        )  # ecsd's own wording
    doc["TargetGroupArn"] = arns.target_group(ctx, name)
    target_groups.create(ctx, doc, defaults.defaults(defaults.TG_ATTRIBUTES))
    if given_tags:
        tags.put(ctx, doc["TargetGroupArn"], given_tags)
    return {"TargetGroups": [{**doc, "LoadBalancerArns": []}]}


@elbv2.operation("DescribeTargetGroups")
def describe_target_groups(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    lb_arn, arns_given, names = p.get("LoadBalancerArn"), p.get("TargetGroupArns"), p.get("Names")
    if sum(1 for x in (lb_arn, arns_given, names) if x) > 1:
        # ecsd's own wording.
        raise invalid("Specify at most one of a load balancer ARN, target group ARNs or names")
    if arns_given:
        rows = [common.target_group(ctx, a) for a in dict.fromkeys(arns_given)]
        return {"TargetGroups": [target_groups.describe(ctx, r) for r in rows]}
    if names:
        found, missing = [], []
        for n in dict.fromkeys(names):
            row = target_groups.by_name(ctx, n)
            (found.append(row) if row is not None else missing.append(n))
        if missing:
            raise AwsError(
                "TargetGroupNotFound", f"Target groups '[{', '.join(missing)}]' not found"
            )
        return {"TargetGroups": [target_groups.describe(ctx, r) for r in found]}
    if lb_arn:
        common.load_balancer(ctx, lb_arn)
        rows = target_groups.of_load_balancer(ctx, lb_arn)
        return {"TargetGroups": [target_groups.describe(ctx, r) for r in rows]}
    rows, marker = paging.page(ctx, target_groups.listing(ctx), p)
    return paging.answer("TargetGroups", [target_groups.describe(ctx, r) for r in rows], marker)


@elbv2.operation("ModifyTargetGroup", write=True)
def modify_target_group(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = common.target_group(ctx, p["TargetGroupArn"])
    doc = _health(dict(row.doc), p)
    if doc != row.doc:
        target_groups.set_doc(ctx, row.arn, doc)
    return {"TargetGroups": [target_groups.get(ctx, row.arn)]}


@elbv2.operation("DeleteTargetGroup", write=True)
def delete_target_group(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    arn = p["TargetGroupArn"]
    common.check_arn(arn, "targetgroup")
    row = target_groups.get_row(ctx, arn) if arns.region_of(arn) == ctx.region else None
    if row is None:
        return {}  # deleting a target group that is gone succeeds, as on AWS
    if target_groups.in_use(ctx, arn):
        raise AwsError(
            "ResourceInUse", f"Target group '{arn}' is currently in use by a listener or a rule"
        )
    target_groups.delete_group(ctx, arn)
    return {}

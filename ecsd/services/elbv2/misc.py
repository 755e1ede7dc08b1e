"""The read-only calls clients make on the side: DescribeSSLPolicies,
DescribeAccountLimits and DescribeCapacityReservation (Terraform's provider and the
console read them)."""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.elbv2 import actions, conditions, rules, targets
from . import common, listeners, load_balancers, paging, ssl_policies, target_groups
from .api import elbv2

# AWS's quota names; the values ecsd enforces are the ones it has (the others are AWS's
# defaults, shown for completeness).
LIMITS = [
    ("application-load-balancers", load_balancers.MAX_LOAD_BALANCERS),
    ("condition-values-per-alb-rule", conditions.MAX_VALUES),
    ("condition-wildcards-per-alb-rule", conditions.MAX_WILDCARDS),
    ("gateway-load-balancers", 100),
    ("gateway-load-balancers-per-vpc", 100),
    ("geneve-target-groups", 100),
    ("listeners-per-application-load-balancer", listeners.MAX_LISTENERS),
    ("listeners-per-network-load-balancer", 50),
    ("network-load-balancers", 50),
    ("rules-per-application-load-balancer", rules.MAX_RULES),
    ("target-groups", target_groups.MAX_TARGET_GROUPS),
    ("target-groups-per-action-on-application-load-balancer", actions.MAX_GROUPS),
    ("target-groups-per-action-on-network-load-balancer", 1),
    ("target-groups-per-application-load-balancer", 100),
    ("targets-per-application-load-balancer", targets.MAX_TARGETS),
    ("targets-per-availability-zone-per-gateway-load-balancer", 300),
    ("targets-per-availability-zone-per-network-load-balancer", 500),
    ("targets-per-network-load-balancer", 3000),
]


@elbv2.operation("DescribeSSLPolicies")
def describe_ssl_policies(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    names = p.get("Names")
    kind = p.get("LoadBalancerType")
    if names:
        missing = [n for n in names if n not in ssl_policies.POLICIES]
        if missing:
            raise AwsError("SSLPolicyNotFound", f"SSL policy '{missing[0]}' not found")
        chosen = list(dict.fromkeys(names))
    else:
        chosen = list(ssl_policies.POLICIES)
    if kind == "gateway":
        chosen = []
    items, marker = paging.slice_list(chosen, p)
    return paging.answer("SslPolicies", [ssl_policies.describe(n) for n in items], marker)


@elbv2.operation("DescribeAccountLimits")
def describe_account_limits(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    items, marker = paging.slice_list(LIMITS, p)
    return paging.answer("Limits", [{"Name": n, "Max": str(v)} for n, v in items], marker)


@elbv2.operation("DescribeCapacityReservation")
def describe_capacity_reservation(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    # No load balancer here reserves capacity (Terraform's aws_lb reads this).
    row = common.load_balancer(ctx, p["LoadBalancerArn"])
    return {
        "LastModifiedTime": row.doc["CreatedTime"],
        "DecreaseRequestsRemaining": 3,
        "CapacityReservationState": [],
    }

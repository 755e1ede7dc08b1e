"""Describe/Modify LoadBalancerAttributes, TargetGroupAttributes and ListenerAttributes:
every key AWS answers, with its defaults (model/elbv2/defaults.py); a Modify checks every
key and value before it keeps any, and answers the whole set, as AWS does."""

from __future__ import annotations

from typing import Any

from ...aws.provider import Context
from ...model.elbv2 import defaults, listeners, load_balancers, target_groups
from ...model.elbv2.defaults import invalid
from . import common
from .api import elbv2


def _answer(attributes: dict[str, str]) -> dict[str, Any]:
    return {"Attributes": defaults.as_list(attributes)}


@elbv2.operation("DescribeLoadBalancerAttributes")
def describe_load_balancer_attributes(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return _answer(common.load_balancer(ctx, p["LoadBalancerArn"]).attributes)


@elbv2.operation("ModifyLoadBalancerAttributes", write=True)
def modify_load_balancer_attributes(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = common.load_balancer(ctx, p["LoadBalancerArn"])
    new = defaults.apply_attributes(
        "Load balancer", defaults.LB_ATTRIBUTES, row.attributes, p["Attributes"]
    )
    if new != row.attributes:
        load_balancers.set_attributes(ctx, row.arn, new)
    return _answer(new)


@elbv2.operation("DescribeTargetGroupAttributes")
def describe_target_group_attributes(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return _answer(common.target_group(ctx, p["TargetGroupArn"]).attributes)


@elbv2.operation("ModifyTargetGroupAttributes", write=True)
def modify_target_group_attributes(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = common.target_group(ctx, p["TargetGroupArn"])
    new = defaults.apply_attributes(
        "Target group", defaults.TG_ATTRIBUTES, row.attributes, p["Attributes"]
    )
    if (
        new["stickiness.enabled"] == "true"
        and new["stickiness.type"] == "app_cookie"
        and not new["stickiness.app_cookie.cookie_name"]
    ):
        # ecsd's own wording: app_cookie stickiness follows the application's cookie.
        raise invalid("An application cookie name must be specified for app_cookie stickiness")
    if (
        new["load_balancing.algorithm.type"] == "least_outstanding_requests"
        and new["slow_start.duration_seconds"] != "0"
    ):
        # AWS's rule ("you can't enable both least outstanding requests and slow start
        # mode"); the wording is ecsd's own.
        raise invalid(
            "Slow start mode cannot be enabled with the least_outstanding_requests algorithm"
        )
    if new != row.attributes:
        target_groups.set_attributes(ctx, row.arn, new)
    return _answer(new)


def _set(attributes: dict[str, str]) -> dict[str, Any]:
    """A listener's attributes as shown: the header settings only once set."""
    return _answer({k: v for k, v in attributes.items() if v != ""})


@elbv2.operation("DescribeListenerAttributes")
def describe_listener_attributes(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return _set(common.listener(ctx, p["ListenerArn"]).attributes)


@elbv2.operation("ModifyListenerAttributes", write=True)
def modify_listener_attributes(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = common.listener(ctx, p["ListenerArn"])
    new = defaults.apply_attributes(
        "Listener", defaults.LISTENER_ATTRIBUTES, row.attributes, p["Attributes"]
    )
    if new != row.attributes:
        listeners.set_attributes(ctx, row.arn, new)
    return _set(new)

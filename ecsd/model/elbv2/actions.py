"""Listener and rule actions: checked as ELBv2 checks them and stored as it describes them.

One final action per rule (forward, redirect or fixed-response); authenticate actions are
not served (ecsd has no identity provider). A forward names one target group
(TargetGroupArn) or several with weights (ForwardConfig); either way the stored action
carries both forms for a single group, as DescribeRules answers.

Texts: AWS's where known, else ecsd's own (marked).
"""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...core.unit import Unit
from . import target_groups
from .defaults import invalid

FINAL = ("forward", "redirect", "fixed-response")
CONTENT_TYPES = (
    "text/plain",
    "text/css",
    "text/html",
    "application/javascript",
    "application/json",
)
MAX_GROUPS = 5  # target groups per forward action, AWS's quota


def check(
    unit: Unit, lb_arn: str, actions: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], set[str]]:
    """The actions as stored (orders filled in, forward in both forms), and the target
    groups they forward to. Refuses a bad action before anything is written."""
    if not actions:
        raise invalid("At least one action must be specified")  # ecsd's own wording
    out: list[dict[str, Any]] = []
    groups: set[str] = set()
    orders = [a.get("Order") for a in actions]
    given = [o for o in orders if o is not None]
    if len(given) != len(set(given)):
        raise invalid("Action orders must be unique")  # ecsd's own wording
    if len(actions) > 1 and len(given) != len(actions):
        raise invalid("An action order must be specified for every action when there are several")
    for i, action in enumerate(sorted(actions, key=lambda a: a.get("Order") or 0)):
        kind = action["Type"]
        if kind not in FINAL:
            # ecsd's own wording: authenticate actions need an identity provider.
            raise AwsError(
                "InvalidLoadBalancerAction", f"The action type '{kind}' is not supported by ecsd"
            )
        shaped: dict[str, Any] = {"Type": kind, "Order": action.get("Order") or i + 1}
        if kind == "forward":
            shaped.update(_forward(unit, lb_arn, action, groups))
        elif kind == "redirect":
            shaped["RedirectConfig"] = _redirect(action.get("RedirectConfig"))
        else:
            shaped["FixedResponseConfig"] = _fixed(action.get("FixedResponseConfig"))
        out.append(shaped)
    if len(out) != 1:
        # ELBv2 allows one final action, after any authenticate actions (not served).
        raise invalid("A rule can have only one forward, redirect or fixed-response action")
    return out, groups


def _forward(unit: Unit, lb_arn: str, action: dict[str, Any], groups: set[str]) -> dict[str, Any]:
    single = action.get("TargetGroupArn")
    config = action.get("ForwardConfig") or {}
    tuples = config.get("TargetGroups") or []
    if single is None and not tuples:
        raise invalid("A target group ARN must be specified for a forward action")
    if single is not None and tuples:
        if len(tuples) != 1 or tuples[0].get("TargetGroupArn") != single:
            raise invalid(
                "You cannot specify a target group ARN in both the action and the forward "
                "config unless they are the same single target group"
            )  # ecsd's own wording
    if not tuples:
        tuples = [{"TargetGroupArn": single, "Weight": 1}]
    if len(tuples) > MAX_GROUPS:
        raise invalid(f"A forward action can have at most {MAX_GROUPS} target groups")
    seen: list[dict[str, Any]] = []
    for t in tuples:
        arn = t.get("TargetGroupArn")
        if not arn:
            raise invalid("A target group ARN must be specified for each target group")
        if any(s["TargetGroupArn"] == arn for s in seen):
            raise invalid(f"Target group '{arn}' is specified more than once")  # ecsd's own
        weight = t.get("Weight", 1)
        if weight is None:
            weight = 1
        if not 0 <= weight <= 999:
            raise invalid("Target group weight must be between 0 and 999")
        group = target_groups.get_row(unit, arn)
        if group is None:
            raise AwsError("TargetGroupNotFound", f"Target group '{arn}' not found")
        if group.doc["Protocol"] not in ("HTTP", "HTTPS"):
            raise AwsError(
                "IncompatibleProtocols",
                f"The target group '{arn}' uses protocol {group.doc['Protocol']}, which is "
                "not compatible with an Application Load Balancer",
            )  # ecsd's own wording
        if target_groups.other_load_balancers(unit, arn, lb_arn):
            raise AwsError(
                "TargetGroupAssociationLimit",
                "The following target groups cannot be associated with more than one load "
                f"balancer: {arn}",
            )
        seen.append({"TargetGroupArn": arn, "Weight": int(weight)})
        groups.add(arn)
    sticky = config.get("TargetGroupStickinessConfig") or {}
    stickiness: dict[str, Any] = {"Enabled": bool(sticky.get("Enabled", False))}
    if stickiness["Enabled"]:
        duration = sticky.get("DurationSeconds")
        if duration is None or not 1 <= duration <= 604800:
            raise invalid("Target group stickiness duration must be between 1 and 604800 seconds")
        stickiness["DurationSeconds"] = int(duration)
    out: dict[str, Any] = {
        "ForwardConfig": {"TargetGroups": seen, "TargetGroupStickinessConfig": stickiness}
    }
    if len(seen) == 1:
        out["TargetGroupArn"] = seen[0]["TargetGroupArn"]
    return out


def _redirect(config: dict[str, Any] | None) -> dict[str, Any]:
    if not config:
        raise invalid("A redirect action must have a redirect config")  # ecsd's own wording
    out = {
        "Protocol": config.get("Protocol") or "#{protocol}",
        "Port": config.get("Port") or "#{port}",
        "Host": config.get("Host") or "#{host}",
        "Path": config.get("Path") or "/#{path}",
        "Query": config.get("Query") if config.get("Query") is not None else "#{query}",
        "StatusCode": config["StatusCode"],
    }
    port = out["Port"]
    if port != "#{port}" and not (port.isdigit() and 1 <= int(port) <= 65535):
        raise invalid("Redirect port must be '#{port}' or an integer from 1 to 65535")
    if not out["Path"].startswith("/"):
        raise invalid("Redirect path must begin with a '/'")
    if (out["Protocol"], out["Port"], out["Host"], out["Path"], out["Query"]) == (
        "#{protocol}",
        "#{port}",
        "#{host}",
        "/#{path}",
        "#{query}",
    ):
        # AWS refuses a redirect to the very same URL: it would loop.
        raise invalid(
            "The redirect configuration is not valid because it creates a loop."
        )  # ecsd's own wording
    return out


def _fixed(config: dict[str, Any] | None) -> dict[str, Any]:
    if not config:
        raise invalid("A fixed-response action must have a fixed-response config")  # ecsd's own
    out: dict[str, Any] = {"StatusCode": config["StatusCode"]}
    content_type = config.get("ContentType")
    if content_type is not None:
        if content_type not in CONTENT_TYPES:
            raise invalid(
                f"Fixed response content type '{content_type}' must be one of "
                + ", ".join(CONTENT_TYPES)
            )  # ecsd's own wording; the list is AWS's
        out["ContentType"] = content_type
    if config.get("MessageBody") is not None:
        out["MessageBody"] = config["MessageBody"]
    return out


def forwarded_groups(actions: list[dict[str, Any]]) -> set[str]:
    out: set[str] = set()
    for a in actions:
        for t in (a.get("ForwardConfig") or {}).get("TargetGroups", []):
            out.add(t["TargetGroupArn"])
    return out

"""CreateRule, DescribeRules, ModifyRule, DeleteRule, SetRulePriorities.

Rules are evaluated by priority (1-50000, lowest first), the listener's default rule last.
The default rule is the listener's DefaultActions: it cannot be modified (ModifyListener
changes its actions), deleted or re-prioritised, as on AWS.
"""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.elbv2 import actions, conditions, listeners, rules, tags
from ...model.elbv2.defaults import invalid
from . import common, paging
from .api import elbv2


def _in_use(priority: int) -> AwsError:
    return AwsError("PriorityInUse", f"Priority '{priority}' is currently in use")


def _default_refused(arn: str, what: str) -> AwsError:
    # "cannot be modified" is AWS's wording; the others follow it (ecsd's own).
    return AwsError("OperationNotPermitted", f"Default rule '{arn}' cannot be {what}")


@elbv2.operation("CreateRule", write=True)
def create_rule(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    listener = common.listener(ctx, p["ListenerArn"])
    if not p["Conditions"]:
        raise invalid("A rule must have at least one condition")  # ecsd's own wording
    shaped = conditions.check(p["Conditions"])
    acts, groups = actions.check(ctx, listener.lb_arn, p["Actions"])
    given_tags = common.check_tags(p.get("Tags"))
    priority = p["Priority"]
    if rules.at(ctx, listener.arn, priority) is not None:
        raise _in_use(priority)
    if rules.count_for_load_balancer(ctx, listener.lb_arn) >= rules.MAX_RULES:
        raise AwsError(
            "TooManyRules", "The quota for the number of rules per load balancer has been reached"
        )  # ecsd's own wording
    doc = rules.create(ctx, listener.arn, listener.lb_arn, priority, shaped, acts, groups)
    if given_tags:
        tags.put(ctx, doc["RuleArn"], given_tags)
    return {"Rules": [doc]}


@elbv2.operation("DescribeRules")
def describe_rules(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    listener_arn, arns_given = p.get("ListenerArn"), p.get("RuleArns")
    if listener_arn and arns_given:
        raise invalid("Rule ARNs and a listener ARN cannot be specified at the same time")
    if arns_given:
        return {"Rules": [common.rule(ctx, a).doc for a in dict.fromkeys(arns_given)]}
    if not listener_arn:
        raise invalid("You must specify either listener ARNs or rule ARNs")  # ecsd's own
    common.listener(ctx, listener_arn)
    rows, marker = paging.page(ctx, rules.listing(ctx, listener_arn), p)
    return paging.answer("Rules", [r.doc for r in rows], marker)


@elbv2.operation("ModifyRule", write=True)
def modify_rule(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = common.rule(ctx, p["RuleArn"])
    if row.is_default:
        # AWS's words ("Default rule '...' cannot be modified", seen in its answers).
        raise _default_refused(row.arn, "modified")
    listener = listeners.get_row(ctx, row.listener_arn)
    assert listener is not None  # a rule lives and dies with its listener
    if not p.get("Conditions") and not p.get("Actions"):
        raise invalid("Either conditions or actions must be specified")  # ecsd's own
    doc = dict(row.doc)
    if p.get("Conditions"):
        doc["Conditions"] = conditions.check(p["Conditions"])
    groups = actions.forwarded_groups(doc["Actions"])
    if p.get("Actions"):
        doc["Actions"], groups = actions.check(ctx, listener.lb_arn, p["Actions"])
    rules.save(ctx, row, listener.lb_arn, doc, groups)
    return {"Rules": [doc]}


@elbv2.operation("DeleteRule", write=True)
def delete_rule(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = common.rule(ctx, p["RuleArn"])
    if row.is_default:
        raise _default_refused(row.arn, "deleted")
    rules.delete_rule(ctx, row.arn)
    return {}


@elbv2.operation("SetRulePriorities", write=True)
def set_rule_priorities(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    pairs = p["RulePriorities"]
    changes = []
    seen_rules: set[str] = set()
    for pair in pairs:
        arn, priority = pair.get("RuleArn"), pair.get("Priority")
        if not arn or priority is None:
            raise invalid("Each rule priority pair must name a rule ARN and a priority")
        if arn in seen_rules:
            raise invalid(f"Rule '{arn}' was provided multiple times")  # ecsd's own wording
        seen_rules.add(arn)
        row = common.rule(ctx, arn)
        if row.is_default:
            raise _default_refused(arn, "given a priority")
        changes.append((row, int(priority)))
    by_listener: dict[str, list[int]] = {}
    for row, priority in changes:
        taken = by_listener.setdefault(row.listener_arn, [])
        if priority in taken:
            raise invalid(f"Priority '{priority}' was provided multiple times")  # ecsd's own
        taken.append(priority)
    for row, priority in changes:
        other = rules.at(ctx, row.listener_arn, priority)
        if other is not None and other.arn not in seen_rules:
            raise _in_use(priority)
    rules.set_priorities(ctx, changes)
    return {"Rules": [rules.get_row(ctx, row.arn).doc for row, _ in changes]}  # type: ignore[union-attr]

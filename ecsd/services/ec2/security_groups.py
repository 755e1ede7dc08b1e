"""Security groups and their rules: Create/Describe/DeleteSecurityGroup,
Authorize/RevokeSecurityGroupIngress/Egress, DescribeSecurityGroupRules,
ModifySecurityGroupRules, UpdateSecurityGroupRuleDescriptionsIngress/Egress — every
call Terraform's aws_security_group, aws_security_group_rule and
aws_vpc_security_group_ingress_rule / _egress_rule make.

IpPermissions are unfolded here into one rule per peer (the model keeps rules one by
one), and a group named in a UserIdGroupPair is looked up in the group's own VPC.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from sqlalchemy import Row

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.ec2 import defaults, filters, ids, security_groups, tags, vpcs
from ...model.ec2.errors import (
    group_name_not_found,
    invalid_value,
    missing,
    not_found,
    permission_not_found,
)
from .api import records
from .paging import page

MAX_NAME = 255


def _tag_map(d: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in d.get("Tags", [])}


def _with_tags(doc: dict[str, Any], tag_map: dict[str, str]) -> dict[str, Any]:
    return {**doc, "Tags": tags.listed(tag_map)} if tag_map else dict(doc)


def _group(ctx: Context, p: dict[str, Any]) -> Row[Any]:
    """The group a call names by GroupId, or by GroupName in the default VPC."""
    if p.get("GroupId"):
        return security_groups.get(ctx, p["GroupId"])
    if p.get("GroupName"):
        vpc_id = defaults.vpc_id(ctx)
        row = security_groups.by_name(ctx, vpc_id, p["GroupName"]) if vpc_id else None
        if row is None:
            raise group_name_not_found(p["GroupName"], vpc_id or "")
        return row
    raise missing("GroupId")


@records("CreateSecurityGroup")
def create_security_group(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    name, description = p["GroupName"], p["Description"]
    if not name or len(name) > MAX_NAME:
        raise invalid_value(f"Invalid value '{name}' for groupName.")  # ecsd's own text
    if name.lower().startswith("sg-"):
        raise invalid_value("Group names may not be in the format sg-*")
    if len(description) > MAX_NAME:
        raise invalid_value(  # ecsd's own text
            f"Invalid value for parameter GroupDescription: longer than {MAX_NAME} characters"
        )
    vpc_id = p.get("VpcId")
    if vpc_id:
        vpcs.get(ctx, vpc_id)
    else:
        vpc_id = defaults.vpc_id(ctx)
        if vpc_id is None:
            raise AwsError("VPCIdNotSpecified", "No default VPC for this user")
    tag_list = tags.from_specifications(p.get("TagSpecifications"), "security-group")
    doc = security_groups.create(ctx, vpc_id, name, description, tag_list=tag_list)
    out: dict[str, Any] = {"GroupId": doc["GroupId"], "SecurityGroupArn": doc["SecurityGroupArn"]}
    if tag_list:
        out["Tags"] = tag_list
    return out


@records("DescribeSecurityGroups")
def describe_security_groups(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    rows = security_groups.all_rows(ctx)
    if p.get("GroupIds"):
        have = {r.id for r in rows}
        for group_id in p["GroupIds"]:
            if group_id not in have:
                raise not_found(ids.SECURITY_GROUP, group_id)
        rows = [r for r in rows if r.id in set(p["GroupIds"])]
    if p.get("GroupNames"):
        vpc_id = defaults.vpc_id(ctx)
        in_default = {r.name: r for r in rows if r.vpc == vpc_id}
        for name in p["GroupNames"]:
            if name not in in_default:
                raise group_name_not_found(name, vpc_id or "")
        rows = [in_default[n] for n in dict.fromkeys(p["GroupNames"])]
    rules: dict[str, list[Row[Any]]] = {}
    for rule in security_groups.rules_of(ctx, [r.id for r in rows]):
        rules.setdefault(rule.group_id, []).append(rule)
    tag_maps = tags.of(ctx, [r.id for r in rows])
    docs = [
        _with_tags(security_groups.view(ctx, r, rules.get(r.id, [])), tag_maps.get(r.id, {}))
        for r in rows
    ]
    found = filters.select(docs, p.get("Filters"), security_groups.FIELDS, _tag_map)
    items, more = page(found, lambda d: d["GroupId"], p)
    return {"SecurityGroups": items, **more}


@records("DeleteSecurityGroup")
def delete_security_group(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row = _group(ctx, p)
    security_groups.remove(ctx, row.id)
    return {"Return": True, "GroupId": row.id}


# Rules -------------------------------------------------------------------------------


def _cidr(value: str, v6: bool) -> str:
    try:
        net = ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise invalid_value(f"CIDR block {value} is malformed") from None
    if (net.version == 6) != v6 or "/" not in value:
        raise invalid_value(f"CIDR block {value} is malformed")
    return value


def _referenced(ctx: Context, group: Row[Any], pair: dict[str, Any]) -> dict[str, str]:
    if pair.get("GroupId"):
        ref = security_groups.get(ctx, pair["GroupId"])
    elif pair.get("GroupName"):
        found = security_groups.by_name(ctx, group.vpc, pair["GroupName"])
        if found is None:
            raise group_name_not_found(
                pair["GroupName"], group.vpc, default=group.vpc == defaults.vpc_id(ctx)
            )
        ref = found
    else:
        raise missing("GroupId")
    if ref.vpc != group.vpc:
        # ecsd keeps no peering connections: a group of another VPC is never reachable
        # (EC2 answers this text under InvalidGroup.NotFound).
        raise AwsError(
            "InvalidGroup.NotFound",
            "You have specified two resources that belong to different networks.",
        )
    return {"GroupId": ref.id, "UserId": pair.get("UserId") or ctx.account}


def _unfold(ctx: Context, group: Row[Any], perms: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """IpPermissions as one rule per peer (the model's unit)."""
    out: list[dict[str, Any]] = []
    for perm in perms:
        if not perm.get("IpProtocol"):
            raise missing("IpPermissions.IpProtocol")
        base = {
            "IpProtocol": perm["IpProtocol"],
            "FromPort": perm.get("FromPort"),
            "ToPort": perm.get("ToPort"),
        }
        peers: list[dict[str, Any]] = []
        for r in perm.get("IpRanges") or []:
            peers.append({"CidrIpv4": _cidr(r.get("CidrIp") or "", False), **_desc(r)})
        for r in perm.get("Ipv6Ranges") or []:
            peers.append({"CidrIpv6": _cidr(r.get("CidrIpv6") or "", True), **_desc(r)})
        for r in perm.get("PrefixListIds") or []:
            peers.append({"PrefixListId": r.get("PrefixListId"), **_desc(r)})
        for r in perm.get("UserIdGroupPairs") or []:
            peers.append({"ReferencedGroupInfo": _referenced(ctx, group, r), **_desc(r)})
        if not peers:
            # ecsd's own text: a permission must name at least one peer.
            raise invalid_value("A rule must name an IP range, a prefix list or a group.")
        out.extend({**base, **peer} for peer in peers)
    return out


def _desc(r: dict[str, Any]) -> dict[str, str]:
    return {"Description": r["Description"]} if r.get("Description") else {}


def _legacy(p: dict[str, Any]) -> list[dict[str, Any]]:
    """The pre-IpPermissions form (top-level IpProtocol, ports, CidrIp / source group)."""
    if not p.get("IpProtocol") and not p.get("CidrIp") and not p.get("SourceSecurityGroupName"):
        return []
    perm: dict[str, Any] = {
        "IpProtocol": p.get("IpProtocol") or "-1",
        "FromPort": p.get("FromPort"),
        "ToPort": p.get("ToPort"),
    }
    if p.get("CidrIp"):
        perm["IpRanges"] = [{"CidrIp": p["CidrIp"]}]
    if p.get("SourceSecurityGroupName"):
        perm["UserIdGroupPairs"] = [{"GroupName": p["SourceSecurityGroupName"]}]
    return [perm]


def _authorize(ctx: Context, p: dict[str, Any], egress: bool) -> dict[str, Any]:
    group = _group(ctx, p)
    perms = p.get("IpPermissions") or _legacy(p)
    if not perms:
        raise missing("IpPermissions")
    tag_list = tags.from_specifications(p.get("TagSpecifications"), "security-group-rule")
    made = [
        security_groups.add_rule(ctx, group.id, egress, rule, tag_list=tag_list)
        for rule in _unfold(ctx, group, perms)
    ]
    return {
        "Return": True,
        "SecurityGroupRules": [{**d, "Tags": tag_list} if tag_list else d for d in made],
    }


def _revoke(ctx: Context, p: dict[str, Any], egress: bool) -> dict[str, Any]:
    group = _group(ctx, p)
    gone: list[Row[Any]] = []
    for rule_id in p.get("SecurityGroupRuleIds") or []:
        row = security_groups.get_rule(ctx, rule_id)
        if row.group_id != group.id or bool(row.egress) != egress:
            raise permission_not_found()
        gone.append(row)
    perms = p.get("IpPermissions") or _legacy(p)
    for rule in _unfold(ctx, group, perms):
        gone.append(security_groups.find_rule(ctx, group.id, egress, rule))
    if not gone:
        raise missing("IpPermissions")
    seen: set[str] = set()
    for row in gone:
        if row.id not in seen:
            seen.add(row.id)
            security_groups.remove_rule(ctx, row)
    return {"Return": True, "RevokedSecurityGroupRules": []}


@records("AuthorizeSecurityGroupIngress")
def authorize_ingress(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return _authorize(ctx, p, False)


@records("AuthorizeSecurityGroupEgress")
def authorize_egress(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return _authorize(ctx, p, True)


@records("RevokeSecurityGroupIngress")
def revoke_ingress(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return _revoke(ctx, p, False)


@records("RevokeSecurityGroupEgress")
def revoke_egress(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return _revoke(ctx, p, True)


@records("DescribeSecurityGroupRules")
def describe_security_group_rules(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    rows = security_groups.all_rules(ctx)
    if p.get("SecurityGroupRuleIds"):
        have = {r.id for r in rows}
        for rule_id in p["SecurityGroupRuleIds"]:
            if rule_id not in have:
                raise not_found(ids.SECURITY_GROUP_RULE, rule_id)
        rows = [r for r in rows if r.id in set(p["SecurityGroupRuleIds"])]
    tag_maps = tags.of(ctx, [r.id for r in rows])
    docs = [_with_tags(r.doc, tag_maps.get(r.id, {})) for r in rows]
    found = filters.select(docs, p.get("Filters"), security_groups.RULE_FIELDS, _tag_map)
    items, more = page(found, lambda d: d["SecurityGroupRuleId"], p)
    return {"SecurityGroupRules": items, **more}


@records("ModifySecurityGroupRules")
def modify_security_group_rules(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    group = security_groups.get(ctx, p["GroupId"])
    for change in p["SecurityGroupRules"]:
        row = security_groups.get_rule(ctx, change["SecurityGroupRuleId"])
        if row.group_id != group.id:
            raise not_found(ids.SECURITY_GROUP_RULE, row.id)
        req = change.get("SecurityGroupRule") or {}
        rule: dict[str, Any] = {
            "IpProtocol": req.get("IpProtocol") or row.doc["IpProtocol"],
            "FromPort": req.get("FromPort"),
            "ToPort": req.get("ToPort"),
        }
        if req.get("CidrIpv4"):
            rule["CidrIpv4"] = _cidr(req["CidrIpv4"], False)
        elif req.get("CidrIpv6"):
            rule["CidrIpv6"] = _cidr(req["CidrIpv6"], True)
        elif req.get("PrefixListId"):
            rule["PrefixListId"] = req["PrefixListId"]
        elif req.get("ReferencedGroupId"):
            rule["ReferencedGroupInfo"] = _referenced(
                ctx, group, {"GroupId": req["ReferencedGroupId"]}
            )
        else:
            raise invalid_value("A rule must name an IP range, a prefix list or a group.")
        if req.get("Description"):
            rule["Description"] = req["Description"]
        # The rule keeps its id: drop it, add the new form (checked for duplicates),
        # then give the new row the old id back.
        tag_map = tags.of(ctx, [row.id]).get(row.id, {})
        security_groups.remove_rule(ctx, row)
        security_groups.replace_rule(ctx, row, rule)
        if tag_map:
            tags.put(ctx, row.id, tags.listed(tag_map))
    return {"Return": True}


def _update_descriptions(ctx: Context, p: dict[str, Any], egress: bool) -> dict[str, Any]:
    group = _group(ctx, p)
    for change in p.get("SecurityGroupRuleDescriptions") or []:
        row = security_groups.get_rule(ctx, change["SecurityGroupRuleId"])
        if row.group_id != group.id or bool(row.egress) != egress:
            raise permission_not_found()
        security_groups.save_rule(ctx, row, _described(row.doc, change.get("Description")))
    for rule in _unfold(ctx, group, p.get("IpPermissions") or []):
        row = security_groups.find_rule(ctx, group.id, egress, rule)
        security_groups.save_rule(ctx, row, _described(row.doc, rule.get("Description")))
    return {"Return": True}


def _described(doc: dict[str, Any], description: str | None) -> dict[str, Any]:
    out = {k: v for k, v in doc.items() if k != "Description"}
    if description:
        out["Description"] = description
    return out


@records("UpdateSecurityGroupRuleDescriptionsIngress")
def update_descriptions_ingress(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return _update_descriptions(ctx, p, False)


@records("UpdateSecurityGroupRuleDescriptionsEgress")
def update_descriptions_egress(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    return _update_descriptions(ctx, p, True)

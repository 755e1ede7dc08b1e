"""Security groups and their rules in the store.

A rule is a row of its own (`sgr-` id): one protocol and port range for one peer (an
IPv4 CIDR, an IPv6 CIDR, a prefix list or another group). DescribeSecurityGroups'
IpPermissions are those rows folded back by protocol and ports, in the order the rules
were made; DescribeSecurityGroupRules lists the rows. Every group starts with EC2's
all-egress rule; a VPC's `default` group also lets in everything from itself.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import Row, delete, func, insert, select, update

from ...core.unit import Unit
from ...store.schema.ec2 import ec2_security_groups, ec2_sg_rules
from . import ids, interfaces, tags
from .errors import (
    cannot_delete_default,
    dependency,
    group_duplicate,
    invalid_value,
    not_found,
    permission_duplicate,
    permission_not_found,
)

DEFAULT = "default"
ALL = "-1"
# EC2 names the common protocols; their numbers are accepted and answered by name.
_NAMES = {"6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6", "all": ALL}
_PEERS = ("CidrIpv4", "CidrIpv6", "PrefixListId", "ReferencedGroupInfo")

# DescribeSecurityGroups' filters ecsd answers (EC2's names).
FIELDS: dict[str, Any] = {
    "group-id": lambda g: g["GroupId"],
    "group-name": lambda g: g["GroupName"],
    "description": lambda g: g["Description"],
    "vpc-id": lambda g: g["VpcId"],
    "owner-id": lambda g: g["OwnerId"],
    "ip-permission.protocol": lambda g: [p["IpProtocol"] for p in g["IpPermissions"]],
    "ip-permission.cidr": lambda g: [
        r["CidrIp"] for p in g["IpPermissions"] for r in p.get("IpRanges", [])
    ],
    "ip-permission.group-id": lambda g: [
        r["GroupId"] for p in g["IpPermissions"] for r in p.get("UserIdGroupPairs", [])
    ],
    "ip-permission.from-port": lambda g: [p.get("FromPort") for p in g["IpPermissions"]],
    "ip-permission.to-port": lambda g: [p.get("ToPort") for p in g["IpPermissions"]],
    "ip-permission.ipv6-cidr": lambda g: [
        r["CidrIpv6"] for p in g["IpPermissions"] for r in p.get("Ipv6Ranges", [])
    ],
    "ip-permission.prefix-list-id": lambda g: [
        r["PrefixListId"] for p in g["IpPermissions"] for r in p.get("PrefixListIds", [])
    ],
    "egress.ip-permission.cidr": lambda g: [
        r["CidrIp"] for p in g["IpPermissionsEgress"] for r in p.get("IpRanges", [])
    ],
    "egress.ip-permission.protocol": lambda g: [p["IpProtocol"] for p in g["IpPermissionsEgress"]],
    "egress.ip-permission.group-id": lambda g: [
        r["GroupId"] for p in g["IpPermissionsEgress"] for r in p.get("UserIdGroupPairs", [])
    ],
}
RULE_FIELDS: dict[str, Any] = {
    "group-id": lambda r: r["GroupId"],
    "security-group-rule-id": lambda r: r["SecurityGroupRuleId"],
}


def _group_exists(unit: Unit, group_id: str) -> bool:
    return find(unit, group_id) is not None


def _rule_exists(unit: Unit, rule_id: str) -> bool:
    return _rule_row(unit, rule_id) is not None


tags.taggable(ids.SECURITY_GROUP, "security-group", _group_exists)
tags.taggable(ids.SECURITY_GROUP_RULE, "security-group-rule", _rule_exists)


# Groups ------------------------------------------------------------------------------


def find(unit: Unit, group_id: str) -> Row[Any] | None:
    return unit.conn.execute(
        select(ec2_security_groups).where(
            ec2_security_groups.c.region == unit.region, ec2_security_groups.c.id == group_id
        )
    ).first()


def get(unit: Unit, group_id: str) -> Row[Any]:
    row = find(unit, group_id)
    if row is None:
        raise not_found(ids.SECURITY_GROUP, group_id)
    return row


def by_name(unit: Unit, vpc_id: str, name: str) -> Row[Any] | None:
    return unit.conn.execute(
        select(ec2_security_groups).where(
            ec2_security_groups.c.region == unit.region,
            ec2_security_groups.c.vpc == vpc_id,
            ec2_security_groups.c.name == name,
        )
    ).first()


def all_rows(unit: Unit) -> list[Row[Any]]:
    return list(
        unit.conn.execute(
            select(ec2_security_groups)
            .where(ec2_security_groups.c.region == unit.region)
            .order_by(ec2_security_groups.c.id)
        )
    )


def create(
    unit: Unit,
    vpc_id: str,
    name: str,
    description: str,
    *,
    group_id: str | None = None,
    tag_list: Sequence[Mapping[str, str]] = (),
) -> dict[str, Any]:
    """A new group in `vpc_id` (which the caller has checked) with EC2's all-egress rule."""
    if by_name(unit, vpc_id, name) is not None:
        raise group_duplicate(name, vpc_id)
    group_id = group_id or ids.new(ids.SECURITY_GROUP)
    doc = {
        "GroupId": group_id,
        "GroupName": name,
        "Description": description,
        "VpcId": vpc_id,
        "OwnerId": unit.account,
        "SecurityGroupArn": unit.arn("ec2", f"security-group/{group_id}"),
    }
    unit.conn.execute(
        insert(ec2_security_groups).values(
            region=unit.region, id=group_id, vpc=vpc_id, name=name, doc=doc
        )
    )
    if tag_list:
        tags.put(unit, group_id, tag_list)
    derived = name == DEFAULT  # the default group's rules get derived ids too
    add_rule(unit, group_id, True, {"IpProtocol": ALL, "CidrIpv4": "0.0.0.0/0"}, derived=derived)
    return doc


def create_default(unit: Unit, vpc_id: str) -> dict[str, Any]:
    """A VPC's `default` group: all egress, and all ingress from the group itself. Its
    id is derived from the VPC's, so a default VPC made twice gets the same group."""
    group_id = ids.derived(ids.SECURITY_GROUP, unit.region, vpc_id)
    doc = create(unit, vpc_id, DEFAULT, "default VPC security group", group_id=group_id)
    add_rule(
        unit,
        group_id,
        False,
        {"IpProtocol": ALL, "ReferencedGroupInfo": {"GroupId": group_id, "UserId": unit.account}},
        derived=True,
    )
    return doc


def default_of(unit: Unit, vpc_id: str) -> Row[Any] | None:
    return by_name(unit, vpc_id, DEFAULT)


def remove(unit: Unit, group_id: str) -> None:
    """DeleteSecurityGroup: refused for a VPC's default group, and while another group's
    rule references this one or a task's network interface uses it."""
    row = get(unit, group_id)
    if row.name == DEFAULT:
        raise cannot_delete_default(group_id)
    referenced = unit.conn.execute(
        select(ec2_sg_rules.c.id).where(
            ec2_sg_rules.c.region == unit.region,
            ec2_sg_rules.c.ref_group == group_id,
            ec2_sg_rules.c.group_id != group_id,
        )
    ).first()
    if referenced is not None or interfaces.group_in_use(unit, group_id):
        raise dependency(ids.SECURITY_GROUP, group_id)
    _drop(unit, group_id)


def remove_default(unit: Unit, vpc_id: str) -> None:
    """The VPC goes: so does its default group (its other groups are gone already)."""
    row = default_of(unit, vpc_id)
    if row is not None:
        _drop(unit, row.id)


def _drop(unit: Unit, group_id: str) -> None:
    for rule in rules_of(unit, [group_id]):
        tags.drop(unit, rule.id)
    unit.conn.execute(
        delete(ec2_sg_rules).where(
            ec2_sg_rules.c.region == unit.region, ec2_sg_rules.c.group_id == group_id
        )
    )
    tags.drop(unit, group_id)
    unit.conn.execute(
        delete(ec2_security_groups).where(
            ec2_security_groups.c.region == unit.region, ec2_security_groups.c.id == group_id
        )
    )


# Rules -------------------------------------------------------------------------------


def protocol(value: str) -> str:
    """A protocol as EC2 answers it: `tcp`/`udp`/`icmp`/`icmpv6`/`-1`, or a number."""
    v = str(value).strip().lower()
    v = _NAMES.get(v, v)
    if v in ("tcp", "udp", "icmp", "icmpv6", ALL):
        return v
    if v.isdigit() and 0 <= int(v) <= 255:
        return v
    raise invalid_value(f"Invalid value '{value}' for IP protocol. Unknown protocol.")


def ports(proto: str, from_port: int | None, to_port: int | None) -> tuple[int, int]:
    """The port range a rule keeps: -1/-1 for every protocol or none that has ports."""
    if proto in ("tcp", "udp"):
        if from_port is None or to_port is None:
            raise invalid_value(
                "Invalid value 'Must specify both from and to ports with TCP/UDP.' for portRange."
            )
        if not (0 <= from_port <= 65535 and 0 <= to_port <= 65535) or from_port > to_port:
            raise invalid_value(
                f"Invalid value '{from_port}-{to_port}' for portRange. Must be a valid port range."
            )  # ecsd's own text
        return from_port, to_port
    if proto in ("icmp", "icmpv6"):
        f = -1 if from_port is None else from_port
        t = -1 if to_port is None else to_port
        if not (-1 <= f <= 255 and -1 <= t <= 255):
            raise invalid_value(f"Invalid value '{f}' for icmp type.")  # ecsd's own text
        return f, t
    return -1, -1


def peer_of(rule: Mapping[str, Any]) -> str:
    """What a rule lets in or out, as EC2's texts name it."""
    if rule.get("CidrIpv4"):
        return str(rule["CidrIpv4"])
    if rule.get("CidrIpv6"):
        return str(rule["CidrIpv6"])
    if rule.get("PrefixListId"):
        return str(rule["PrefixListId"])
    return str((rule.get("ReferencedGroupInfo") or {}).get("GroupId", ""))


def _identity(egress: bool, rule: Mapping[str, Any]) -> tuple[Any, ...]:
    return (egress, rule["IpProtocol"], rule["FromPort"], rule["ToPort"], peer_of(rule))


def rules_of(unit: Unit, group_ids: Iterable[str]) -> list[Row[Any]]:
    wanted = list(group_ids)
    if not wanted:
        return []
    return list(
        unit.conn.execute(
            select(ec2_sg_rules)
            .where(ec2_sg_rules.c.region == unit.region, ec2_sg_rules.c.group_id.in_(wanted))
            .order_by(ec2_sg_rules.c.seq)
        )
    )


def all_rules(unit: Unit) -> list[Row[Any]]:
    return list(
        unit.conn.execute(
            select(ec2_sg_rules)
            .where(ec2_sg_rules.c.region == unit.region)
            .order_by(ec2_sg_rules.c.id)
        )
    )


def _rule_row(unit: Unit, rule_id: str) -> Row[Any] | None:
    return unit.conn.execute(
        select(ec2_sg_rules).where(
            ec2_sg_rules.c.region == unit.region, ec2_sg_rules.c.id == rule_id
        )
    ).first()


def get_rule(unit: Unit, rule_id: str) -> Row[Any]:
    row = _rule_row(unit, rule_id)
    if row is None:
        raise not_found(ids.SECURITY_GROUP_RULE, rule_id)
    return row


def add_rule(
    unit: Unit,
    group_id: str,
    egress: bool,
    rule: Mapping[str, Any],
    *,
    derived: bool = False,
    tag_list: Sequence[Mapping[str, str]] = (),
    keep: Row[Any] | None = None,
) -> dict[str, Any]:
    """Add one rule (one peer) to a group: `rule` has IpProtocol, FromPort/ToPort, one
    peer key (CidrIpv4, CidrIpv6, PrefixListId, ReferencedGroupInfo) and an optional
    Description. A rule the group already has is refused (InvalidPermission.Duplicate)."""
    proto = protocol(rule["IpProtocol"])
    from_port, to_port = ports(proto, rule.get("FromPort"), rule.get("ToPort"))
    doc: dict[str, Any] = {
        "GroupId": group_id,
        "GroupOwnerId": unit.account,
        "IsEgress": egress,
        "IpProtocol": proto,
        "FromPort": from_port,
        "ToPort": to_port,
    }
    for key in _PEERS:
        if rule.get(key):
            doc[key] = rule[key]
    if rule.get("Description"):
        doc["Description"] = rule["Description"]
    same = _identity(egress, doc)
    for have in rules_of(unit, [group_id]):
        if _identity(have.egress, have.doc) == same:
            shown = "ALL" if proto == ALL else proto.upper()
            raise permission_duplicate(peer_of(doc), shown, from_port, to_port)
    ref = (doc.get("ReferencedGroupInfo") or {}).get("GroupId")
    if keep is not None:  # a modified rule keeps its id and its place
        rule_id = keep.id
    elif derived:
        rule_id = ids.derived(ids.SECURITY_GROUP_RULE, group_id, *map(str, same))
    else:
        rule_id = ids.new(ids.SECURITY_GROUP_RULE)
    doc = {"SecurityGroupRuleId": rule_id, **doc}
    doc["SecurityGroupRuleArn"] = unit.arn("ec2", f"security-group-rule/{rule_id}")
    seq = keep.seq - 1 if keep is not None else _last_seq(unit)
    unit.conn.execute(
        insert(ec2_sg_rules).values(
            region=unit.region,
            id=rule_id,
            group_id=group_id,
            egress=egress,
            ref_group=ref,
            seq=seq + 1,
            doc=doc,
        )
    )
    if tag_list:
        tags.put(unit, rule_id, tag_list)
    return doc


def _last_seq(unit: Unit) -> int:
    return int(
        unit.conn.execute(
            select(func.coalesce(func.max(ec2_sg_rules.c.seq), 0)).where(
                ec2_sg_rules.c.region == unit.region
            )
        ).scalar_one()
    )


def replace_rule(unit: Unit, old: Row[Any], rule: Mapping[str, Any]) -> dict[str, Any]:
    """ModifySecurityGroupRules: `old` (already removed) made again as `rule`, with its
    id, direction and place kept."""
    return add_rule(unit, old.group_id, bool(old.egress), rule, keep=old)


def find_rule(unit: Unit, group_id: str, egress: bool, rule: Mapping[str, Any]) -> Row[Any]:
    """The group's rule with the same protocol, ports and peer as `rule` (for Revoke by
    IpPermissions); InvalidPermission.NotFound when it has none."""
    proto = protocol(rule["IpProtocol"])
    from_port, to_port = ports(proto, rule.get("FromPort"), rule.get("ToPort"))
    probe = {**rule, "IpProtocol": proto, "FromPort": from_port, "ToPort": to_port}
    same = _identity(egress, probe)
    for have in rules_of(unit, [group_id]):
        if _identity(have.egress, have.doc) == same:
            return have
    raise permission_not_found()


def remove_rule(unit: Unit, row: Row[Any]) -> None:
    tags.drop(unit, row.id)
    unit.conn.execute(
        delete(ec2_sg_rules).where(
            ec2_sg_rules.c.region == unit.region, ec2_sg_rules.c.id == row.id
        )
    )


def save_rule(unit: Unit, row: Row[Any], doc: dict[str, Any]) -> None:
    ref = (doc.get("ReferencedGroupInfo") or {}).get("GroupId")
    unit.conn.execute(
        update(ec2_sg_rules)
        .where(ec2_sg_rules.c.region == unit.region, ec2_sg_rules.c.id == row.id)
        .values(doc=doc, ref_group=ref)
    )


def permissions(rules: Iterable[Row[Any]]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A group's rules folded into (IpPermissions, IpPermissionsEgress), as
    DescribeSecurityGroups shows them: one permission per protocol and port range, its
    peers in the order the rules were made."""
    out: dict[bool, dict[tuple[Any, ...], dict[str, Any]]] = {False: {}, True: {}}
    for row in rules:
        d = row.doc
        key = (d["IpProtocol"], d["FromPort"], d["ToPort"])
        perm = out[bool(row.egress)].get(key)
        if perm is None:
            perm = {"IpProtocol": d["IpProtocol"]}
            if d["IpProtocol"] != ALL:
                perm["FromPort"], perm["ToPort"] = d["FromPort"], d["ToPort"]
            perm.update(IpRanges=[], Ipv6Ranges=[], PrefixListIds=[], UserIdGroupPairs=[])
            out[bool(row.egress)][key] = perm
        desc = {"Description": d["Description"]} if d.get("Description") else {}
        if d.get("CidrIpv4"):
            perm["IpRanges"].append({"CidrIp": d["CidrIpv4"], **desc})
        elif d.get("CidrIpv6"):
            perm["Ipv6Ranges"].append({"CidrIpv6": d["CidrIpv6"], **desc})
        elif d.get("PrefixListId"):
            perm["PrefixListIds"].append({"PrefixListId": d["PrefixListId"], **desc})
        else:
            ref = d.get("ReferencedGroupInfo") or {}
            perm["UserIdGroupPairs"].append(
                {"GroupId": ref.get("GroupId"), "UserId": ref.get("UserId"), **desc}
            )
    return list(out[False].values()), list(out[True].values())


def view(unit: Unit, row: Row[Any], rules: Iterable[Row[Any]]) -> dict[str, Any]:
    """A group as DescribeSecurityGroups shows it (its tags added by the caller)."""
    ingress, egress = permissions(rules)
    return {**row.doc, "IpPermissions": ingress, "IpPermissionsEgress": egress}

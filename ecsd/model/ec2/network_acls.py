"""Network ACLs in the store: the default ACL every VPC gets (made and deleted with
it), with EC2's default entries, associated with every subnet of the VPC.

ecsd keeps only the default ACLs (what `aws_vpc` reads as `default_network_acl_id` and
what DescribeNetworkAcls shows for a subnet); CreateNetworkAcl and its entries are not
served, so every subnet's association is with its VPC's default ACL, and its id is
derived from the two ids (stable across reads, as EC2's is).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row, delete, insert, select

from ...core.unit import Unit
from ...store.schema.ec2_routing import ec2_network_acls
from . import ids, subnets, tags, vpc_lifecycle

# DescribeNetworkAcls' filters ecsd answers (EC2's names), over the doc `view` makes.
FIELDS: dict[str, Any] = {
    "network-acl-id": lambda d: d["NetworkAclId"],
    "vpc-id": lambda d: d["VpcId"],
    "owner-id": lambda d: d["OwnerId"],
    "default": lambda d: d["IsDefault"],
    "association.association-id": lambda d: [
        a["NetworkAclAssociationId"] for a in d["Associations"]
    ],
    "association.network-acl-id": lambda d: [a["NetworkAclId"] for a in d["Associations"]],
    "association.subnet-id": lambda d: [a["SubnetId"] for a in d["Associations"]],
    "entry.cidr": lambda d: [e.get("CidrBlock") for e in d["Entries"]],
    "entry.egress": lambda d: [e["Egress"] for e in d["Entries"]],
    "entry.protocol": lambda d: [e["Protocol"] for e in d["Entries"]],
    "entry.rule-action": lambda d: [e["RuleAction"] for e in d["Entries"]],
    "entry.rule-number": lambda d: [e["RuleNumber"] for e in d["Entries"]],
}

# EC2's default ACL: rule 100 allows everything, the catch-all `*` rule (number 32767)
# denies it, both ways.
DEFAULT_ENTRIES = [
    {
        "CidrBlock": "0.0.0.0/0",
        "Egress": egress,
        "Protocol": "-1",
        "RuleAction": action,
        "RuleNumber": number,
    }
    for egress in (True, False)
    for number, action in ((100, "allow"), (32767, "deny"))
]


def _exists(unit: Unit, acl_id: str) -> bool:
    return (
        unit.conn.execute(
            select(ec2_network_acls.c.id).where(
                ec2_network_acls.c.region == unit.region, ec2_network_acls.c.id == acl_id
            )
        ).first()
        is not None
    )


tags.taggable(ids.NETWORK_ACL, "network-acl", _exists)


def all_rows(unit: Unit) -> list[Row[Any]]:
    return list(
        unit.conn.execute(select(ec2_network_acls).where(ec2_network_acls.c.region == unit.region))
    )


def view(unit: Unit, rows: list[Row[Any]]) -> list[dict[str, Any]]:
    """The ACLs as DescribeNetworkAcls shows them: every subnet of a default ACL's VPC
    associated with it, tags included."""
    in_vpc: dict[str, list[str]] = {}
    for s in subnets.all_rows(unit):
        in_vpc.setdefault(s.vpc, []).append(s.id)
    tag_maps = tags.of(unit, [r.id for r in rows])
    out = []
    for r in rows:
        doc = dict(r.doc)
        doc["Associations"] = [
            {
                "NetworkAclAssociationId": ids.derived(ids.NETWORK_ACL_ASSOCIATION, r.id, s),
                "NetworkAclId": r.id,
                "SubnetId": s,
            }
            for s in (in_vpc.get(r.vpc, []) if r.is_default else [])
        ]
        doc["Tags"] = tags.listed(tag_maps.get(r.id, {}))
        out.append(doc)
    return out


@vpc_lifecycle.on_vpc_created
def _default_acl(unit: Unit, vpc: dict[str, Any]) -> None:
    acl_id = ids.derived(ids.NETWORK_ACL, vpc["VpcId"])  # same ids when made twice
    doc = {
        "NetworkAclId": acl_id,
        "VpcId": vpc["VpcId"],
        "OwnerId": unit.account,
        "IsDefault": True,
        "Entries": DEFAULT_ENTRIES,
    }
    unit.conn.execute(
        insert(ec2_network_acls).values(
            region=unit.region, id=acl_id, vpc=vpc["VpcId"], is_default=True, doc=doc
        )
    )


@vpc_lifecycle.on_vpc_deleted
def _drop_acls(unit: Unit, vpc_id: str) -> None:
    cond = [ec2_network_acls.c.region == unit.region, ec2_network_acls.c.vpc == vpc_id]
    for r in unit.conn.execute(select(ec2_network_acls.c.id).where(*cond)).all():
        tags.drop(unit, r.id)
    unit.conn.execute(delete(ec2_network_acls).where(*cond))

"""Managed policies: the customer's (rows) and AWS's (data, aws_policies.json), their
versions, and their attachments to roles. Stored, not enforced."""

from __future__ import annotations

import datetime as dt
import json
from functools import cache
from importlib import resources
from typing import Any

from sqlalchemy import delete, func, insert, select, update

from ...aws.errors import AwsError
from ...core.unit import Unit
from ...store.schema.iam import iam_policies, iam_role_attachments
from .roles import partition_of

MAX_VERSIONS = 5
AWS_CREATED = 1420070400.0  # a fixed date for AWS's policies (ecsd's own choice)


def not_found(arn: str) -> AwsError:
    return AwsError("NoSuchEntity", f"Policy {arn} does not exist or is not attachable.")


@cache
def _aws_data() -> list[dict[str, Any]]:
    text = resources.files(__package__).joinpath("aws_policies.json").read_text()
    return list(json.loads(text)["policies"])


def _date(text: str | None) -> float:
    if text is None:
        return AWS_CREATED
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


def _document(p: dict[str, Any]) -> str:
    """AWS's document where the data has it; a stand-in of ecsd's own from `actions`."""
    if "document" in p:
        return json.dumps(p["document"])
    stand_in = {"Effect": "Allow", "Action": p["actions"], "Resource": "*"}
    return json.dumps({"Version": "2012-10-17", "Statement": [stand_in]})


def aws_policies(partition: str) -> dict[str, dict[str, Any]]:
    """AWS's managed policies by ARN, as a policy record (doc + versions): only the
    default version is known."""
    out = {}
    for p in _aws_data():
        arn = f"arn:{partition}:iam::aws:policy{p['path']}{p['name']}"
        version = p.get("version", "v1")
        created, updated = _date(p.get("created")), _date(p.get("updated"))
        out[arn] = {
            "doc": {
                "PolicyName": p["name"],
                "PolicyId": "ANPA" + p["name"].upper().replace("_", "")[:17].ljust(17, "X"),
                "Arn": arn,
                "Path": p["path"],
                "DefaultVersionId": version,
                # A service-linked role's policy goes only on that role.
                "IsAttachable": not p["path"].startswith("/aws-service-role/"),
                "CreateDate": created,
                "UpdateDate": updated,
            },
            "versions": [
                {
                    "VersionId": version,
                    "Document": _document(p),
                    "IsDefaultVersion": True,
                    "CreateDate": updated,
                }
            ],
        }
    return out


def get(unit: Unit, arn: str) -> dict[str, Any]:
    """{doc, versions, aws} for a policy ARN, or NoSuchEntity."""
    part = partition_of(unit)
    known = aws_policies(part).get(arn)
    if known is not None:
        return {**known, "aws": True}
    row = unit.conn.execute(
        select(iam_policies).where(iam_policies.c.partition == part, iam_policies.c.arn == arn)
    ).first()
    if row is None:
        raise not_found(arn)
    return {"doc": dict(row.doc), "versions": list(row.versions), "aws": False}


def own(unit: Unit, arn: str) -> dict[str, Any]:
    """A customer managed policy's record, for a change; AccessDenied for AWS's."""
    record = get(unit, arn)
    if record["aws"]:
        # ecsd's own text: AWS refuses changing its managed policies with AccessDenied.
        raise AwsError("AccessDenied", f"Policy {arn} is an AWS managed policy.", status=403)
    return record


def create(unit: Unit, doc: dict[str, Any], versions: list[dict[str, Any]]) -> None:
    part = partition_of(unit)
    exists = unit.conn.execute(
        select(iam_policies.c.arn).where(
            iam_policies.c.partition == part, iam_policies.c.arn == doc["Arn"]
        )
    ).first()
    if exists is not None:
        raise AwsError(
            "EntityAlreadyExists",
            f"A policy called {doc['PolicyName']} already exists. Duplicate names are not allowed.",
        )
    unit.conn.execute(
        insert(iam_policies).values(
            partition=part, arn=doc["Arn"], path=doc["Path"], doc=doc, versions=versions
        )
    )


def save(unit: Unit, doc: dict[str, Any], versions: list[dict[str, Any]]) -> None:
    unit.conn.execute(
        update(iam_policies)
        .where(iam_policies.c.partition == partition_of(unit), iam_policies.c.arn == doc["Arn"])
        .values(doc=doc, versions=versions)
    )


def remove(unit: Unit, arn: str) -> None:
    unit.conn.execute(
        delete(iam_policies).where(
            iam_policies.c.partition == partition_of(unit), iam_policies.c.arn == arn
        )
    )


def listing(unit: Unit, prefix: str) -> Any:
    q = select(iam_policies).where(iam_policies.c.partition == partition_of(unit))
    if prefix and prefix != "/":
        q = q.where(iam_policies.c.path.startswith(prefix, autoescape=True))
    return q, [iam_policies.c.arn]


# Attachments ---------------------------------------------------------------------------


def attachment_count(unit: Unit, arn: str) -> int:
    return int(
        unit.conn.execute(
            select(func.count()).where(
                iam_role_attachments.c.partition == partition_of(unit),
                iam_role_attachments.c.policy_arn == arn,
            )
        ).scalar_one()
    )


def _attachments(unit: Unit, pick: Any, where: Any, value: str) -> list[str]:
    """`pick` of every attachment whose `where` column is `value`, sorted."""
    t = iam_role_attachments
    rows = unit.conn.execute(
        select(pick).where(t.c.partition == partition_of(unit), where == value).order_by(pick)
    )
    return [str(r[0]) for r in rows]


def attached_to(unit: Unit, role_key: str) -> list[str]:
    """The ARNs of the policies attached to a role."""
    c = iam_role_attachments.c
    return _attachments(unit, c.policy_arn, c.role, role_key)


def roles_of(unit: Unit, arn: str) -> list[str]:
    """The (lowered) names of the roles a policy is attached to."""
    c = iam_role_attachments.c
    return _attachments(unit, c.role, c.policy_arn, arn)


def attach(unit: Unit, role_key: str, arn: str) -> None:
    if arn not in attached_to(unit, role_key):
        unit.conn.execute(
            insert(iam_role_attachments).values(
                partition=partition_of(unit), role=role_key, policy_arn=arn
            )
        )


def detach(unit: Unit, role_key: str, arn: str) -> bool:
    done = unit.conn.execute(
        delete(iam_role_attachments).where(
            iam_role_attachments.c.partition == partition_of(unit),
            iam_role_attachments.c.role == role_key,
            iam_role_attachments.c.policy_arn == arn,
        )
    )
    return bool(done.rowcount)


def find_version(record: dict[str, Any], version_id: str) -> dict[str, Any]:
    for v in record["versions"]:
        if v["VersionId"] == version_id:
            return dict(v)
    raise AwsError(
        "NoSuchEntity",
        f"Policy {record['doc']['Arn']} version {version_id} does not exist or is not attachable.",
    )

"""STS sessions: which role an access key ecsd handed out acts as.

The task-role credentials served to containers and AssumeRole's credentials are each
recorded here (access key id → role, session name, expiry), so that GetCallerIdentity
answers `arn:aws:sts::<acct>:assumed-role/<role>/<session>` for them, as STS does, also
after a restart. Expired sessions are dropped when a new one is recorded.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import string
from dataclasses import dataclass

from sqlalchemy import delete, insert, select, update

from ...core.unit import Unit
from ...store.schema.iam import iam_roles
from ...store.schema.iam import sts_sessions as t
from .roles import partition_of

_KEY_CHARS = string.ascii_uppercase + string.digits


def new_access_key() -> str:
    """A temporary access key id (ASIA…, 20 characters) for AssumeRole. Its last
    character is outside base32, so it is never taken for one the credentials endpoint
    derived (taskside/keys.py reads those as base32 and recomputes their secret)."""
    return "ASIA" + "".join(secrets.choice(_KEY_CHARS) for _ in range(15)) + "9"


@dataclass(frozen=True)
class Session:
    role_arn: str
    role_id: str
    session: str
    expiration: float

    @property
    def arn(self) -> str:
        """The assumed-role ARN STS names: the role's name without its path."""
        part, account = self.role_arn.split(":")[1], self.role_arn.split(":")[4]
        name = self.role_arn.rsplit("/", 1)[-1]
        return f"arn:{part}:sts::{account}:assumed-role/{name}/{self.session}"

    @property
    def user_id(self) -> str:
        return f"{self.role_id}:{self.session}"


def role_id(unit: Unit, role_arn: str) -> str:
    """The RoleId of the role at `role_arn` if IAM here holds it; otherwise (a task
    definition may name a role never created here) a stable id derived from the ARN,
    shaped as IAM's (AROA and 17 characters)."""
    name = role_arn.rsplit("/", 1)[-1].lower()
    row = unit.conn.execute(
        select(iam_roles.c.doc).where(
            iam_roles.c.partition == partition_of(unit), iam_roles.c.name == name
        )
    ).first()
    if row is not None and row.doc["Arn"] == role_arn:
        return str(row.doc["RoleId"])
    digest = base64.b32encode(hashlib.sha256(role_arn.encode()).digest()).decode()
    return "AROA" + digest[:17]


def record(
    unit: Unit,
    access_key_id: str,
    role_arn: str,
    session: str,
    expiration: float,
    secret: str | None = None,
) -> Session:
    """Remember that `access_key_id` acts as `role_arn` in `session` until `expiration`
    (recording the same key again only refreshes it)."""
    unit.conn.execute(delete(t).where(t.c.expiration <= unit.now))
    made = Session(role_arn, role_id(unit, role_arn), session, expiration)
    values = {
        "role_arn": role_arn,
        "role_id": made.role_id,
        "session": session,
        "expiration": expiration,
        "secret": secret,
    }
    exists = unit.conn.execute(select(t.c.access_key_id).where(t.c.access_key_id == access_key_id))
    if exists.first() is None:
        unit.conn.execute(insert(t).values(access_key_id=access_key_id, **values))
    else:
        unit.conn.execute(update(t).where(t.c.access_key_id == access_key_id).values(**values))
    return made


def find(unit: Unit, access_key_id: str) -> Session | None:
    """The live session of `access_key_id`, or None (a configured key, an expired one,
    or a key ecsd never handed out)."""
    if not access_key_id:
        return None
    row = unit.conn.execute(select(t).where(t.c.access_key_id == access_key_id)).first()
    if row is None or row.expiration <= unit.now:
        return None
    return Session(row.role_arn, row.role_id, row.session, row.expiration)


def secret_of(unit: Unit, access_key_id: str) -> str | None:
    """The secret of a live AssumeRole key (what a SigV4 check needs), or None."""
    row = unit.conn.execute(
        select(t.c.secret, t.c.expiration).where(t.c.access_key_id == access_key_id)
    ).first()
    if row is None or row.secret is None or row.expiration <= unit.now:
        return None
    return str(row.secret)

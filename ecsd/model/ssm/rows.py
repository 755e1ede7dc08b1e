"""Reading parameters from the store: the rows behind the API handlers and behind
`values.py`, the read other services use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Row, select

from ...aws.errors import AwsError
from ...store import sealing
from ...store.schema.ssm import ssm_parameter_versions as versions
from ...store.schema.ssm import ssm_parameters as params
from .names import Reference, spellings


def seal_context(region: str, name: str, version: int) -> str:
    """What a value is sealed to: it opens only as this version of this parameter."""
    return f"ssm/{region}/{name}/{version}"


def current(conn: Connection, region: str, name: str) -> Row[Any] | None:
    """The parameter `name` means, under whichever spelling it was created
    (names.spellings: `/foo` and `foo` are one parameter)."""
    for spelling in spellings(name):
        row = conn.execute(
            select(params).where(params.c.region == region, params.c.name == spelling)
        ).first()
        if row is not None:
            return row
    return None


@dataclass(frozen=True)
class Found:
    """One version of one parameter, as GetParameter answers it."""

    region: str
    name: str
    version: int
    type: str
    sealed: bytes
    doc: dict[str, Any]  # this version's metadata (LastModifiedDate, DataType, ...)
    arn: str
    selector: str

    def plaintext(self, data_dir: Path) -> str:
        return sealing.unseal(
            data_dir, self.sealed, seal_context(self.region, self.name, self.version)
        ).decode()


def not_found(ref: str, *, named: bool = False) -> AwsError:
    """ParameterNotFound as the operation words it: GetParameter's carries no text
    beyond the code; DeleteParameter, GetParameterHistory and (Un)LabelParameterVersion
    name the parameter (`named`), as Parameter Store answers them."""
    return AwsError("ParameterNotFound", f"Parameter {ref} not found." if named else "")


def lookup(conn: Connection, ref: Reference) -> Found | None:
    """The version a reference names; None if there is no such parameter (or label).
    A missing version of an existing parameter is ParameterVersionNotFound, as in SSM."""
    row = None
    for name in ref.candidates:
        row = current(conn, ref.region, name)
        if row is not None:
            break
    if row is None:
        return None
    if not ref.selector:
        return Found(
            ref.region, row.name, row.version, row.type, row.value, row.doc, row.doc["ARN"], ""
        )
    q = select(versions).where(versions.c.region == ref.region, versions.c.name == row.name)
    if ref.version is not None:
        v = conn.execute(q.where(versions.c.version == ref.version)).first()
        if v is None:
            raise AwsError(
                "ParameterVersionNotFound",
                f"Systems Manager could not find version {ref.version} of "
                f"{row.name}. Verify the version and try again.",
            )
    else:
        # A parameter has at most 100 versions; a label sits on at most one of them.
        v = next((r for r in conn.execute(q) if ref.label in r.labels), None)
        if v is None:
            return None
    return Found(
        ref.region, row.name, v.version, v.doc["Type"], v.value, v.doc, row.doc["ARN"], ref.selector
    )

"""Parameters: PutParameter, GetParameter(s), GetParametersByPath, GetParameterHistory,
DescribeParameters, DeleteParameter(s).

Every version is a row; the newest carries `current = 1`. Values are sealed at rest
whatever their type; SecureString values are only shown decrypted when asked to.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, delete, select, update

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...store import sealing
from ...store.schema.secrets import ssm_parameters as params
from .api import ssm

MAX_DEPTH = 15
_NAME = re.compile(r"^/?[A-Za-z0-9_.\-/]{1,2048}$")
_ARN = re.compile(r"^arn:aws[\w-]*:ssm:([\w-]+):\d{12}:parameter(/.+)$")


def parameter_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:ssm:{region}:{account}:parameter/{name.lstrip('/')}"


def split_reference(ref: str, default_region: str) -> tuple[str, str]:
    """(region, name) for a parameter name or ARN. An ARN names `/a/b` as `parameter/a/b`
    and `x` as `parameter/x`: which one it meant is decided by which exists."""
    m = _ARN.match(ref)
    if m is None:
        return default_region, ref
    return m.group(1), m.group(2)


def current(conn: Connection, region: str, name: str) -> Any:
    """The newest version's row of a parameter (name or ARN path), or None."""
    for candidate in (name, name.lstrip("/")) if name.startswith("/") else (name,):
        row = conn.execute(select(params).where(
            params.c.region == region, params.c.name == candidate,
            params.c.current == 1)).first()
        if row is not None:
            return row
    return None


def plain_value(ctx_settings: Any, row: Any) -> str:
    return sealing.unseal(ctx_settings.data_dir, row.value).decode()


def _check_name(name: str) -> None:
    if not _NAME.match(name) or re.match(r"^/?(aws|ssm)", name, re.IGNORECASE) or "//" in name:
        raise AwsError("ValidationException",
                       "Parameter name: can't be prefixed with \"aws\" or \"ssm\" "
                       "(case-insensitive). If formed as a path, it can consist of sub-paths "
                       "divided by slash symbol; each sub-path can be formed as a mix of "
                       "letters, numbers and the following 3 symbols .-_")
    if "/" in name and not name.startswith("/"):
        raise AwsError("ValidationException", "Parameter name must be a fully qualified name.")
    if name.count("/") > MAX_DEPTH:
        raise AwsError("HierarchyLevelLimitExceededException",
                       "A hierarchy can have a maximum of 15 levels. For more information, see "
                       "Requirements and constraints for parameter names in the Amazon Web "
                       "Services Systems Manager User Guide.")


def _view(ctx: Context, row: Any, *, decrypt: bool, selector: str = "") -> dict[str, Any]:
    value = plain_value(ctx.settings, row)
    if row.type == "SecureString" and not decrypt:
        value = base64.b64encode(row.value).decode()  # an opaque ciphertext, as SSM shows
    out = {"Name": row.name, "Type": row.type, "Value": value, "Version": row.version,
           "LastModifiedDate": row.doc["LastModifiedDate"], "ARN": row.doc["ARN"],
           "DataType": row.doc.get("DataType", "text")}
    if selector:
        out["Selector"] = selector
    return out


def _not_found(name: str = "") -> AwsError:
    return AwsError("ParameterNotFound", "")  # SSM says nothing more


def _lookup(ctx: Context, ref: str) -> tuple[Any, str]:
    """A parameter by name, ARN, or `name:version`; (row, selector)."""
    selector = ""
    base = ref
    m = re.match(r"^(.*):(\d+)$", ref)
    # `name:3` selects version 3; an ARN has five colons of its own before the name.
    if m and (not ref.startswith("arn:") or ref.count(":") > 5):
        base, selector = m.group(1), f":{m.group(2)}"
    region, name = split_reference(base, ctx.region)
    row = current(ctx.conn, region, name)
    if row is None:
        raise _not_found(name)
    if selector:
        version = int(selector[1:])
        row = ctx.conn.execute(select(params).where(
            params.c.region == region, params.c.name == row.name,
            params.c.version == version)).first()
        if row is None:
            raise AwsError("ParameterVersionNotFound",
                           f"Systems Manager could not find version {version} of {name}. "
                           "Verify the version and try again.")
    return row, selector


@ssm.operation("PutParameter", write=True)
def put_parameter(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    name = p["Name"]
    _check_name(name)
    existing = current(ctx.conn, ctx.region, name)
    if existing is not None and not p.get("Overwrite"):
        raise AwsError("ParameterAlreadyExists",
                       "The parameter already exists. To overwrite this value, set the "
                       "overwrite option in the request to true.")
    if p.get("Tags") and p.get("Overwrite"):
        raise AwsError("ValidationException",
                       "Invalid request: tags and overwrite can't be used together. To create "
                       "a parameter with tags, please remove overwrite flag. To update tags "
                       "for an existing parameter, please use AddTagsToResource or "
                       "RemoveTagsFromResource.")
    kind = p.get("Type") or (existing.type if existing is not None else None)
    if kind is None:
        raise AwsError("ValidationException",
                       "A parameter type is required when you create a parameter.")
    if existing is not None and p.get("Type") and p["Type"] != existing.type \
            and "SecureString" in (p["Type"], existing.type):
        raise AwsError("ValidationException",
                       "You can't change the parameter type from or to SecureString.")
    version = (existing.version + 1) if existing is not None else 1
    old = dict(existing.doc) if existing is not None else {}
    doc = {
        "Name": name, "ARN": parameter_arn(ctx.region, ctx.account, name), "Type": kind,
        "LastModifiedDate": ctx.now, "LastModifiedUser": ctx.principal,
        "Version": version, "Tier": p.get("Tier") or old.get("Tier") or "Standard",
        "Policies": [], "DataType": p.get("DataType") or old.get("DataType") or "text",
        "Tags": p.get("Tags") or old.get("Tags") or [],
    }
    if p.get("Description") or old.get("Description"):
        doc["Description"] = p.get("Description") or old["Description"]
    if kind == "SecureString":
        doc["KeyId"] = p.get("KeyId") or old.get("KeyId") or "alias/aws/ssm"
    if existing is not None:
        ctx.conn.execute(update(params).where(params.c.region == ctx.region,
                                              params.c.name == name).values(current=0))
    ctx.conn.execute(params.insert().values(
        region=ctx.region, name=name, version=version, current=1, type=kind,
        value=sealing.seal(ctx.settings.data_dir, p["Value"].encode()), doc=doc))
    return {"Version": version, "Tier": doc["Tier"]}


@ssm.operation("GetParameter")
def get_parameter(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row, selector = _lookup(ctx, p["Name"])
    return {"Parameter": _view(ctx, row, decrypt=bool(p.get("WithDecryption")),
                               selector=selector)}


@ssm.operation("GetParameters")
def get_parameters(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    found, invalid = [], []
    for ref in p["Names"]:
        try:
            row, selector = _lookup(ctx, ref)
        except AwsError:
            invalid.append(ref)
            continue
        found.append(_view(ctx, row, decrypt=bool(p.get("WithDecryption")), selector=selector))
    return {"Parameters": found, "InvalidParameters": invalid}


def _offset_page(items: Sequence[Any], p: dict[str, Any], maximum: int
                 ) -> tuple[Sequence[Any], str | None]:
    size = p.get("MaxResults") or maximum
    if not 1 <= size <= maximum:
        raise AwsError("ValidationException",
                       f"1 validation error detected: Value '{size}' at 'maxResults' failed to "
                       f"satisfy constraint: Member must have value less than or equal to "
                       f"{maximum}")
    start = int(p["NextToken"]) if (p.get("NextToken") or "").isdigit() else 0
    page = items[start:start + size]
    return page, str(start + size) if start + size < len(items) else None


@ssm.operation("GetParametersByPath")
def get_parameters_by_path(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    path = p["Path"]
    if not path.startswith("/"):
        raise AwsError("ValidationException", "The parameter doesn't meet the parameter name "
                       "requirements. The parameter name must begin with a forward slash "
                       "\"/\".")
    prefix = path.rstrip("/") + "/"
    rows = ctx.conn.execute(select(params).where(
        params.c.region == ctx.region, params.c.current == 1,
        params.c.name >= prefix, params.c.name < prefix + "\U0010ffff")
        .order_by(params.c.name)).all()
    if not p.get("Recursive"):
        rows = [r for r in rows if "/" not in r.name[len(prefix):]]
    page, token = _offset_page(rows, p, 10)
    out: dict[str, Any] = {"Parameters": [_view(ctx, r, decrypt=bool(p.get("WithDecryption")))
                                          for r in page]}
    if token:
        out["NextToken"] = token
    return out


@ssm.operation("GetParameterHistory")
def get_parameter_history(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row, _ = _lookup(ctx, p["Name"])
    rows = ctx.conn.execute(select(params).where(
        params.c.region == row.region, params.c.name == row.name)
        .order_by(params.c.version)).all()
    page, token = _offset_page(rows, p, 50)
    history = []
    for r in page:
        item = {k: v for k, v in r.doc.items() if k not in ("ARN", "Tags")}
        item["Value"] = _view(ctx, r, decrypt=bool(p.get("WithDecryption")))["Value"]
        item["Labels"] = []
        history.append(item)
    out: dict[str, Any] = {"Parameters": history}
    if token:
        out["NextToken"] = token
    return out


def _matches(doc: dict[str, Any], p: dict[str, Any]) -> bool:
    for f in p.get("Filters") or []:
        if doc.get(f["Key"]) not in f["Values"]:
            return False
    for f in p.get("ParameterFilters") or []:
        key, option, values = f["Key"], f.get("Option", "Equals"), f.get("Values") or []
        if key == "Path":
            base = (values or ["/"])[0].rstrip("/") + "/"
            rest = doc["Name"][len(base):] if doc["Name"].startswith(base) else None
            if rest is None or (option != "Recursive" and "/" in rest):
                return False
            continue
        field = {"Name": "Name", "Type": "Type", "KeyId": "KeyId", "Tier": "Tier",
                 "DataType": "DataType"}.get(key)
        if field is None:
            continue
        have = str(doc.get(field, ""))
        if option == "BeginsWith":
            if not any(have.startswith(v) for v in values):
                return False
        elif option == "Contains":
            if not any(v in have for v in values):
                return False
        elif have not in values:
            return False
    return True


@ssm.operation("DescribeParameters")
def describe_parameters(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    rows = ctx.conn.execute(select(params.c.doc).where(
        params.c.region == ctx.region, params.c.current == 1).order_by(params.c.name)).all()
    docs = [{k: v for k, v in r.doc.items() if k != "Tags"} for r in rows
            if _matches(r.doc, p)]
    page, token = _offset_page(docs, p, 50)
    out: dict[str, Any] = {"Parameters": page}
    if token:
        out["NextToken"] = token
    return out


@ssm.operation("DeleteParameter", write=True)
def delete_parameter(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    row, _ = _lookup(ctx, p["Name"])
    ctx.conn.execute(delete(params).where(params.c.region == row.region,
                                          params.c.name == row.name))
    return {}


@ssm.operation("DeleteParameters", write=True)
def delete_parameters(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    deleted, invalid = [], []
    for name in p["Names"]:
        row = current(ctx.conn, ctx.region, name)
        if row is None:
            invalid.append(name)
            continue
        ctx.conn.execute(delete(params).where(params.c.region == ctx.region,
                                              params.c.name == row.name))
        deleted.append(name)
    return {"DeletedParameters": deleted, "InvalidParameters": invalid}

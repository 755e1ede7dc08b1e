"""Listing parameters: GetParametersByPath and DescribeParameters, with their filters.

Both page by name (keyset, see services/pagination.py). A path is an index range: one level is
`parent = path`, recursive is the name range under `path/`. Filters on type, key, tier,
data type, tags and labels are checked row by row as the page is read.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.ssm import listing, names, rows, versions
from .. import pagination
from .api import ssm
from .parameters import view

BAD_TOKEN = AwsError("InvalidNextToken", "The specified token isn't valid.")
_FIELDS = {"Name": "Name", "Type": "Type", "KeyId": "KeyId", "Tier": "Tier", "DataType": "DataType"}
BY_PATH_KEYS = ("Type", "KeyId", "Label")


def _matches(f: dict[str, Any], row: Row[Any]) -> bool:
    key, values = f["Key"], [str(v) for v in f.get("Values") or []]
    option = f.get("Option") or "Equals"
    if key.startswith("tag:"):
        have_all = [t.get("Value", "") for t in row.tags if t["Key"] == key[4:]]
        if not have_all:
            return False
        return not values or any(_compare(option, h, values) for h in have_all)
    if key == "Name":
        # Parameter Store matches names with or without their leading slash
        # (a Contains value is a fragment, matched as written).
        have = "/" + row.name.lstrip("/")
        if option != "Contains":
            values = ["/" + v.lstrip("/") for v in values]
    else:
        have = str(row.doc.get(_FIELDS[key], ""))
    return _compare(option, have, values)


def _compare(option: str, have: str, values: list[str]) -> bool:
    if option == "BeginsWith":
        return any(have.startswith(v) for v in values)
    if option == "Contains":
        return any(v in have for v in values)
    return have in values


_OPTIONS = ("Equals", "BeginsWith")
_VALUES = {
    "Type": ("String", "StringList", "SecureString"),
    "Tier": ("Standard", "Advanced", "Intelligent-Tiering"),
    "DataType": ("text", "aws:ec2:image", "aws:ssm:integration"),
}


# Parameter Store's refusals as its answers word them (the lists are its fixed texts, as
# reported from AWS: "[BeginsWith, Equals]" also where Name allows Contains, and
# DescribeParameters' key list without DataType and tags).
_OPTIONS_TEXT = {"Path": "[Recursive, OneLevel]", "Label": "[Equals]"}
_KEYS_TEXT = {"DescribeParameters": "[Path, Name, Type, KeyId, Tier]", "ByPath": "[Type, KeyId]"}


def _bad_option(key: str, option: str) -> AwsError:
    return AwsError(
        "InvalidFilterOption",
        f"The following filter option is not valid: {option}. Valid options include: "
        f"{_OPTIONS_TEXT.get(key, '[BeginsWith, Equals]')}.",
    )


def _check_filters(filters: list[dict[str, Any]], *, by_path: bool) -> None:
    """The option, value and duplicate rules of ParameterStringFilter: Equals and
    BeginsWith everywhere, Contains for Name, Recursive/OneLevel for Path, Equals alone
    for Label; one filter per key. (Texts as Parameter Store's answers word them; which
    error code the duplicate gets is ecsd's guess.)"""
    seen: set[str] = set()
    for f in filters:
        key, option = f["Key"], f.get("Option")
        if key in seen:
            raise AwsError(
                "ValidationException",
                f"The following filter is duplicated in the request: {key}. A request "
                "can contain only one occurrence of a specific filter.",
            )
        seen.add(key)
        values = [str(v) for v in f.get("Values") or []]
        if key == "Path":
            if option is not None and option not in ("Recursive", "OneLevel"):
                raise _bad_option(key, option)
            for value in values:
                if value.lstrip("/").lower().startswith(("aws", "ssm")):
                    raise AwsError(
                        "ValidationException",
                        'Filters for common parameters can\'t be prefixed with "aws" or '
                        '"ssm" (case-insensitive). When using global parameters, please '
                        "specify within a global namespace.",
                    )
                names.check_path(value)
            continue
        valid: tuple[str, ...] = ("Equals",) if key == "Label" else _OPTIONS
        if key == "Name" and not by_path:
            valid = (*_OPTIONS, "Contains")
        if option is not None and option not in valid:
            raise _bad_option(key, option)
        if not values and not key.startswith("tag:"):
            raise AwsError(
                "InvalidFilterValue",
                f"The following filter values are missing : null for filter key {key}.",
            )
        for value in values:
            if key in _VALUES and value not in _VALUES[key]:
                raise AwsError(
                    "InvalidFilterValue",
                    f"The following filter value is not valid: {value}. Valid values "
                    f"include: [{', '.join(_VALUES[key])}].",
                )


def _labelled(ctx: Context, row: Row[Any], labels: list[str]) -> rows.Found | None:
    for v in versions.all_of(ctx, row):
        hit = next((label for label in labels if label in v.labels), None)
        if hit is not None:
            return rows.Found(
                row.region,
                row.name,
                v.version,
                v.doc["Type"],
                v.value,
                v.doc,
                row.doc["ARN"],
                f":{hit}",
            )
    return None


def _check_keys(filters: list[dict[str, Any]], allowed: tuple[str, ...], text: str) -> None:
    """Keys the model's pattern admits (the front end refused the others) but the
    operation does not (`allowed`; tags where `tag` is in it), refused with the
    operation's fixed `text` of valid keys."""
    for f in filters:
        key = f["Key"]
        if key not in allowed and not (key.startswith("tag:") and "tag" in allowed):
            raise AwsError(
                "InvalidFilterKey",
                f"The following filter key is not valid: {key}. Valid filter keys "
                f"include: {_KEYS_TEXT[text]}.",
            )


@ssm.operation("GetParametersByPath")
def get_parameters_by_path(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    path = names.check_path(p["Path"])
    filters = p.get("ParameterFilters") or []
    _check_keys(filters, BY_PATH_KEYS, "ByPath")
    _check_filters(filters, by_path=True)
    labels = [v for f in filters if f["Key"] == "Label" for v in f.get("Values") or []]
    plain = [f for f in filters if f["Key"] != "Label"]
    q, key = listing.parameters(ctx, path, recursive=bool(p.get("Recursive")))

    def keep(row: Row[Any]) -> bool:
        return all(_matches(f, row) for f in plain) and (
            not labels or _labelled(ctx, row, labels) is not None
        )

    after = pagination.decode_token(p.get("NextToken"), [str], error=BAD_TOKEN)
    page, next_key = pagination.scan(ctx.conn, q, key, after, p.get("MaxResults") or 10, keep)
    decrypt = bool(p.get("WithDecryption"))
    found = [
        (
            _labelled(ctx, r, labels)
            if labels
            else rows.Found(r.region, r.name, r.version, r.type, r.value, r.doc, r.doc["ARN"], "")
        )
        for r in page
    ]
    out: dict[str, Any] = {"Parameters": [view(ctx, f, decrypt=decrypt) for f in found if f]}
    if next_key is not None:
        out["NextToken"] = pagination.encode_token(next_key)
    return out


@ssm.operation("DescribeParameters")
def describe_parameters(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    if p.get("Filters") and p.get("ParameterFilters"):
        raise AwsError(
            "ValidationException",
            "You can use either Filters or ParameterFilters in a single request.",
        )
    filters = list(p.get("ParameterFilters") or p.get("Filters") or [])
    _check_keys(
        filters, ("Name", "Type", "KeyId", "Path", "Tier", "DataType", "tag"), "DescribeParameters"
    )
    _check_filters(filters, by_path=False)
    paths = [f for f in filters if f["Key"] == "Path"]
    q, key = listing.parameters(ctx)
    for f in paths:
        path = names.check_path((f.get("Values") or ["/"])[0])
        q, key = listing.parameters(
            ctx, path, recursive=(f.get("Option") or "OneLevel") == "Recursive"
        )
    rest = [f for f in filters if f["Key"] != "Path"]
    after = pagination.decode_token(p.get("NextToken"), [str], error=BAD_TOKEN)
    if p.get("Shared"):
        return {"Parameters": []}  # nothing is shared with this account from another
    page, next_key = pagination.scan(
        ctx.conn,
        q,
        key,
        after,
        p.get("MaxResults") or 10,
        lambda row: all(_matches(f, row) for f in rest),
    )
    out: dict[str, Any] = {"Parameters": [dict(r.doc) for r in page]}
    if next_key is not None:
        out["NextToken"] = pagination.encode_token(next_key)
    return out

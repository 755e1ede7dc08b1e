"""Checks of ECR input the botocore model leaves open: tags, image ids, layer digests,
repository-policy texts and tag-mutability exclusion filters. Pure functions: they
raise `AwsError` before anything is read or written, so a refused request changes
nothing.

Texts marked "ecsd's own" are where AWS's exact wording is not known.
"""

from __future__ import annotations

import json
import re
from typing import Any

from ...aws.errors import AwsError, clip
from .api import invalid

MAX_TAGS = 50  # per resource, as AWS documents for ECR
_TAG_KEY_MAX = 128
_TAG_VALUE_MAX = 256
DIGEST = re.compile(r"[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+")
# Docker's tag grammar (distribution/reference): what `docker push` can name.
TAG = re.compile(r"[\w][\w.-]{0,127}")
_FILTER = re.compile(r"[0-9a-zA-Z._*-]{1,128}")
_MUTABILITY_WITH_FILTERS = ("IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION")


def tags(given: list[dict[str, str]]) -> list[dict[str, str]]:
    """Tags as given, checked; the last value given for a key wins, as on AWS."""
    merged: dict[str, str] = {}
    for t in given:
        key, value = t["Key"], t["Value"]
        if not 1 <= len(key) <= _TAG_KEY_MAX or len(value) > _TAG_VALUE_MAX:
            # ecsd's own wording of AWS's documented tag limits.
            raise AwsError(
                "InvalidTagParameterException",
                f"Tag keys must be 1-{_TAG_KEY_MAX} characters and values at most "
                f"{_TAG_VALUE_MAX} characters: '{clip(key, 128)}'.",
            )
        if key.lower().startswith("aws:"):
            raise AwsError(
                "InvalidTagParameterException",
                "The aws: prefix is reserved for AWS use and cannot be used in tag keys.",
            )
        merged[key] = value
    return [{"Key": k, "Value": v} for k, v in merged.items()]


def merged_tags(current: list[dict[str, str]], added: list[dict[str, str]]) -> list[dict[str, str]]:
    out = {t["Key"]: t["Value"] for t in current}
    out.update({t["Key"]: t["Value"] for t in tags(added)})
    if len(out) > MAX_TAGS:
        # ecsd's own wording; the code and the limit are AWS's.
        raise AwsError(
            "TooManyTagsException",
            f"A resource can have at most {MAX_TAGS} tags; this request would leave {len(out)}.",
        )
    return [{"Key": k, "Value": v} for k, v in out.items()]


def image_id_problem(image_id: dict[str, Any]) -> tuple[str, str] | None:
    """(failureCode, failureReason) for an imageId BatchDeleteImage / BatchGetImage
    refuse item by item, or None for a well-formed one."""
    digest, tag = image_id.get("imageDigest"), image_id.get("imageTag")
    if digest is None and tag is None:
        return (
            "MissingDigestAndTag",
            "Invalid request parameters: both tag and digest cannot be null",
        )
    if digest is not None and not DIGEST.fullmatch(digest):
        return (
            "InvalidImageDigest",
            "Invalid request parameters: image digest should satisfy the regex '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+'",
        )
    if tag is not None and not TAG.fullmatch(tag):
        # ecsd's own wording of the failure reason.
        return (
            "InvalidImageTag",
            "Invalid request parameters: image tag does not satisfy the tag grammar",
        )
    return None


def image_id(image_id: dict[str, Any]) -> None:
    """An imageId a single-image operation (DescribeImages' list, PutImage) refuses whole."""
    problem = image_id_problem(image_id)
    if problem is not None:
        raise invalid(problem[1])


def layer_digest(digest: str, member: str = "layerDigest") -> None:
    if not DIGEST.fullmatch(digest):
        raise invalid(
            f"Invalid parameter at '{member}' failed to satisfy constraint: 'must satisfy "
            "regular expression '[a-zA-Z0-9-_+.]+:[a-fA-F0-9]+''"
        )


def repository_policy(text: str) -> str:
    """A repository policy text as AWS accepts it: a JSON IAM policy document with a
    Statement of objects that each have an Effect and a Principal (ECR policies are
    resource policies)."""
    bad = invalid(
        "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'"
    )
    try:
        doc = json.loads(text, parse_constant=_refuse)
    except (ValueError, RecursionError):
        raise bad from None
    if not isinstance(doc, dict):
        raise bad
    statements = doc.get("Statement")
    if isinstance(statements, dict):
        statements = [statements]
    if not isinstance(statements, list) or not statements:
        raise bad
    for s in statements:
        if not isinstance(s, dict) or s.get("Effect") not in ("Allow", "Deny"):
            raise bad
        if "Principal" not in s and "NotPrincipal" not in s:
            raise bad
        if "Action" not in s and "NotAction" not in s:
            raise bad
    return text


def _refuse(name: str) -> Any:
    raise ValueError(name)


def mutability(p: dict[str, Any]) -> tuple[str, list[dict[str, str]]]:
    """`imageTagMutability` and its exclusion filters, checked together: the
    *_WITH_EXCLUSION values need filters, the plain ones take none."""
    value = p.get("imageTagMutability") or "MUTABLE"
    filters = list(p.get("imageTagMutabilityExclusionFilters") or [])
    if value in _MUTABILITY_WITH_FILTERS and not filters:
        # ecsd's own wording of the rule.
        raise invalid(f"imageTagMutabilityExclusionFilters must be specified with {value}.")
    if value not in _MUTABILITY_WITH_FILTERS and filters:
        raise invalid(
            f"imageTagMutabilityExclusionFilters can only be used with "
            f"{' or '.join(_MUTABILITY_WITH_FILTERS)}."
        )
    for f in filters:
        if not _FILTER.fullmatch(f["filter"]):
            raise invalid(
                "Invalid parameter at 'imageTagMutabilityExclusionFilters' failed to satisfy "
                "constraint: 'must satisfy regular expression '^[0-9a-zA-Z._*-]{1,128}$''"
            )
    return value, filters

"""Checking a policy document the way IAM does before storing it: it must be JSON, an
object, with a Version IAM knows and a Statement. Policies are stored, not enforced, so
nothing here interprets what a statement allows."""

from __future__ import annotations

import json
from typing import Any

from ...aws.errors import AwsError

VERSIONS = ("2012-10-17", "2008-10-17")


def malformed(message: str) -> AwsError:
    return AwsError("MalformedPolicyDocument", message)


def check(text: str) -> dict[str, Any]:
    """The parsed document, or MalformedPolicyDocument with IAM's text."""
    try:
        doc = json.loads(text)
    except ValueError:
        raise malformed("This policy contains invalid Json") from None
    # The texts below for a non-object document or a missing Statement are AWS's
    # generic "Syntax errors in policy." as IAM answers them for such documents.
    if not isinstance(doc, dict):
        raise malformed("Syntax errors in policy.")
    version = doc.get("Version")
    if version is not None and version not in VERSIONS:
        raise malformed("The policy must contain a valid version string")
    statements = doc.get("Statement")
    if statements is None:
        raise malformed("Syntax errors in policy.")
    for st in statements if isinstance(statements, list) else [statements]:
        if not isinstance(st, dict):
            raise malformed("Syntax errors in policy.")
        if st.get("Effect") not in ("Allow", "Deny"):
            raise malformed("Syntax errors in policy.")
    return doc

"""`/aws/reference/secretsmanager/<secret-id>`: Parameter Store's window on Secrets
Manager, which GetParameter and GetParameters answer with the secret's current (or
selected) value, as they do on AWS, so code written against the reference works here.

The secret is read through model/secretsmanager/values.py, the named read other
services use. Only the two Get operations answer it: on AWS the other Parameter Store
operations do not reach Secrets Manager either.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.secretsmanager import values

PREFIX = "/aws/reference/secretsmanager/"
NEEDS_DECRYPTION = "WithDecryption flag must be True for retrieving a Secret Manager secret."
_VERSION_ID = re.compile(r"^[0-9a-fA-F-]{32,64}$")


def is_reference(name: str) -> bool:
    return name.startswith(PREFIX)


def _split(ref: str) -> tuple[str, str]:
    """(secret id, selector): the selector is `:<version id>` or `:<staging label>`.
    A secret name has no colon; a secret ARN has six, then maybe the selector's."""
    body = ref[len(PREFIX) :]
    parts = body.split(":")
    keep = 7 if body.startswith("arn:") else 1
    return ":".join(parts[:keep]), (":" + ":".join(parts[keep:])) if len(parts) > keep else ""


def parameter(ctx: Context, ref: str, *, decrypt: bool) -> dict[str, Any]:
    """The `Parameter` GetParameter answers for a reference; ParameterNotFound when
    Secrets Manager refuses (its code and text carried in the message)."""
    if not decrypt:
        raise AwsError("ValidationException", NEEDS_DECRYPTION)
    secret_id, selector = _split(ref)
    chosen = selector[1:]
    by_id = bool(chosen) and _VERSION_ID.match(chosen) is not None
    try:
        answer = values.secret_value(
            ctx,
            secret_id,
            region=ctx.region,
            version_id=chosen if by_id else None,
            stage=chosen if chosen and not by_id else None,
        )
    except AwsError as exc:
        # The wrapping text is ecsd's own: AWS's exact words for this case are not
        # documented.
        raise AwsError(
            "ParameterNotFound",
            f"An error occurred ({exc.code}) when referencing Secrets Manager: {exc.message}",
        ) from None
    if "SecretBinary" in answer:
        value = base64.b64encode(answer["SecretBinary"]).decode()
        source = {**answer, "SecretBinary": value}
    else:
        value, source = answer["SecretString"], answer
    out: dict[str, Any] = {
        "Name": ref[: len(ref) - len(selector)] if selector else ref,
        "Type": "SecureString",
        "Value": value,
        "Version": 0,
        "SourceResult": json.dumps(source),
        "LastModifiedDate": answer["CreatedDate"],
        "ARN": answer["ARN"],
        "DataType": "text",
    }
    if selector:
        out["Selector"] = selector
    return out

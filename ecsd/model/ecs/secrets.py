"""Resolve a container's `secrets[].valueFrom` at task start, as the ECS agent does with
the task's execution role. `valueFrom` is one of:

- an SSM parameter name (`/app/db/password`, `plain`), in the task's region, optionally
  with a `:version` or `:label` selector, as GetParameters accepts;
- an SSM parameter ARN `arn:aws:ssm:<region>:<account>:parameter/<name>`;
- a Secrets Manager ARN `arn:aws:secretsmanager:<region>:<account>:secret:<name>`,
  with or without the six random characters, optionally followed by
  `:<json-key>:<version-stage>:<version-id>` (each may be empty: `…:secret:db:password::`
  takes field `password` of the AWSCURRENT value).

An ARN is read in its own region (the agent makes its client there); a bare parameter
name in the task's region.

SecureString parameters are decrypted. A JSON field is rendered the way the agent's Go
code renders it (`fmt.Sprintf("%v")`): strings as they are, numbers in Go's shortest
form (1e+06 for a million), objects as `map[k:v]`. A binary secret reads as the empty
string, because the agent reads only SecretString.

Failures raise `SecretResolutionError`, whose text is what ECS puts after
`ResourceInitializationError: `. It names what could not be read and why — never a
secret value, not even a character of one.
"""

from __future__ import annotations

import json
import math
from decimal import Decimal
from typing import Any

from ...aws.errors import AwsError
from ...core.unit import Unit
from ...store.sealing import SealError
from ..secretsmanager import values as secrets_manager
from ..ssm import values as parameter_store

PREFIX = "unable to pull secrets or registry auth: execution resource retrieval failed: "
SSM_FAILED = PREFIX + (
    "unable to retrieve secrets from ssm: service call has been retried 1 time(s): "
)
ASM_FAILED = PREFIX + (
    "unable to retrieve secret from asm: service call has been retried 1 time(s): "
)


class SecretResolutionError(Exception):
    """A `valueFrom` that cannot be resolved; str() is ECS's stoppedReason text after
    `ResourceInitializationError: `."""


def resolve(unit: Unit, value_from: str) -> str:
    """The plaintext a container gets for `value_from`, read in the unit of work of the
    task's region (a bare parameter name is read there)."""
    if value_from.startswith("arn:") and value_from.split(":", 3)[2:3] == ["secretsmanager"]:
        return _from_secrets_manager(unit, value_from)
    return _from_parameter_store(unit, value_from)


def _from_parameter_store(unit: Unit, value_from: str) -> str:
    try:
        value = parameter_store.parameter_value(unit, value_from)
    except SealError as exc:
        raise SecretResolutionError(SSM_FAILED + f"DecryptionFailure: {exc}") from None
    if value is None:
        raise SecretResolutionError(SSM_FAILED + f"invalid ssm parameters: {value_from}")
    return value


def _from_secrets_manager(unit: Unit, value_from: str) -> str:
    # arn:aws:secretsmanager:<region>:<account>:secret:<name>[:<key>:<stage>:<version-id>]
    parts = value_from.split(":")
    if len(parts) == 7:
        secret_id, json_key, stage, version_id = value_from, "", "", ""
    elif len(parts) == 10:
        secret_id = ":".join(parts[:7])
        json_key, stage, version_id = parts[7:]
    else:
        raise SecretResolutionError(
            ASM_FAILED + f"trying to retrieve secret with value {value_from} resulted in "
            "error: an invalid ARN format for the AWS Secrets Manager secret was "
            "specified. Specify a valid ARN and try again."
        )
    failed = f"{ASM_FAILED}failed to fetch secret {secret_id} from secrets manager: "
    if version_id and not 32 <= len(version_id) <= 64:
        # The agent's SDK refuses this before any call, in its own words.
        bound = "minimum field size of 32" if len(version_id) < 32 else "maximum field size of 64"
        raise SecretResolutionError(
            failed + f"InvalidParameter: 1 validation error(s) found.\n- {bound}, "
            "GetSecretValueInput.VersionId.\n"
        )
    try:
        text = secrets_manager.secret_string(
            unit,
            secret_id,
            region=parts[3],
            version_id=version_id or None,
            stage=stage or None,
        )
    except AwsError as exc:
        raise SecretResolutionError(failed + f"{exc.code}: {exc.message}") from None
    except SealError as exc:
        raise SecretResolutionError(failed + f"DecryptionFailure: {exc}") from None
    if not json_key:
        return text
    return _json_field(text, json_key)


def _json_field(text: str, json_key: str) -> str:
    try:
        document = json.loads(text, parse_int=float)  # Go reads every number as float64
    except json.JSONDecodeError as exc:
        # Go's own message names the offending character; ours must not (it is part of
        # the secret), so only the kind of failure is kept.
        what = (
            "unexpected end of JSON input"
            if exc.pos >= len(text.rstrip())
            else "invalid character looking for beginning of value"
        )
        raise SecretResolutionError(ASM_FAILED + what) from None
    if not isinstance(document, dict):
        kind = {list: "array", str: "string", float: "number", bool: "bool"}.get(
            type(document), "value"
        )
        raise SecretResolutionError(
            ASM_FAILED + f"json: cannot unmarshal {kind} into Go value of type "
            "map[string]interface {}"
        )
    if json_key not in document:
        raise SecretResolutionError(
            ASM_FAILED + f"retrieved secret from Secrets Manager did not contain json key "
            f"{json_key}"
        )
    return go_format(document[json_key])


def go_format(value: Any) -> str:
    """`fmt.Sprintf("%v", v)` for a value Go's encoding/json decoded into interface{}."""
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, float):
        return _go_float(value)
    if isinstance(value, list):
        return "[" + " ".join(go_format(v) for v in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{go_format(value[k])}" for k in sorted(value)) + "]"
    return str(value)


def _go_float(f: float) -> str:
    """strconv.FormatFloat(f, 'g', -1, 64), which %v uses: the shortest digits that
    read back as `f`, in %e form when the exponent is below -4 or at least 6 — so a
    JSON 1000000 reaches the container as `1e+06`, as on ECS."""
    if math.isinf(f):
        return "+Inf" if f > 0 else "-Inf"
    if f == 0:
        return "-0" if math.copysign(1, f) < 0 else "0"
    sign, digits, exponent = Decimal(repr(f)).normalize().as_tuple()
    assert isinstance(exponent, int)
    ds = "".join(map(str, digits))
    point = len(ds) + exponent  # where the decimal point falls in `ds`
    exp = point - 1
    out = "-" if sign else ""
    if exp < -4 or exp >= 6:
        mantissa = ds[0] + ("." + ds[1:] if len(ds) > 1 else "")
        return f"{out}{mantissa}e{'-' if exp < 0 else '+'}{abs(exp):02d}"
    if point <= 0:
        return f"{out}0.{'0' * -point}{ds}"
    if point >= len(ds):
        return out + ds + "0" * (point - len(ds))
    return f"{out}{ds[:point]}.{ds[point:]}"

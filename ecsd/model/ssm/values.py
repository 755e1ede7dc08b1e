"""Parameter values as another service reads them: ECS resolving a container's
`secrets[].valueFrom` at task start, as the ECS agent does with GetParameters.

The one named read other services use; they never touch the parameter rows."""

from __future__ import annotations

from ...aws.errors import AwsError
from ...core.unit import Unit
from ..secretsmanager import values as secret_values
from . import names, rows

SECRETS_REFERENCE = "/aws/reference/secretsmanager/"


def parameter_value(unit: Unit, ref: str) -> str | None:
    """The plaintext (SecureStrings decrypted) of the parameter `ref` names — a name or
    ARN, with an optional `:version` or `:label` — or None when it names none (malformed,
    another account, no such parameter, version or label). A bare name is read in the
    unit's region, an ARN in its own. A value that cannot be unsealed raises
    store.sealing.SealError."""
    if ref.startswith(SECRETS_REFERENCE):
        # Parameter Store's window on Secrets Manager, as the agent's GetParameters
        # (WithDecryption) reads it: the secret's current value.
        try:
            return secret_values.secret_string(
                unit, ref[len(SECRETS_REFERENCE) :], region=unit.region
            )
        except AwsError:
            return None
    try:
        parsed = names.reference(ref, region=unit.region, account=unit.account, cross_region=True)
        found = rows.lookup(unit.conn, parsed) if parsed is not None else None
    except AwsError:  # a malformed name, a version that does not exist
        return None
    if found is None:
        return None
    return found.plaintext(unit.settings.data_dir)

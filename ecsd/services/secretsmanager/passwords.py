"""GetRandomPassword: a password from the character classes the request leaves in, at
least one of each when RequireEachIncludedType (the default) says so, drawn from the
operating system's CSPRNG (`secrets`), as Secrets Manager's own generator is."""

from __future__ import annotations

import secrets
import string
from typing import Any

from ...aws.errors import AwsError
from .api import secretsmanager

# Secrets Manager's punctuation set, as its API reference lists it.
PUNCTUATION = "!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~"
DEFAULT_LENGTH = 32


def _classes(p: dict[str, Any]) -> list[str]:
    excluded = set(p.get("ExcludeCharacters") or "")
    wanted = [
        ("ExcludeLowercase", string.ascii_lowercase),
        ("ExcludeUppercase", string.ascii_uppercase),
        ("ExcludeNumbers", string.digits),
        ("ExcludePunctuation", PUNCTUATION),
    ]
    classes = [chars for flag, chars in wanted if not p.get(flag)]
    if p.get("IncludeSpace"):
        classes.append(" ")
    return [left for left in ("".join(c for c in chars if c not in excluded) for chars in classes)]


@secretsmanager.operation("GetRandomPassword")
def get_random_password(ctx: Any, p: dict[str, Any]) -> dict[str, Any]:
    length = p.get("PasswordLength") or DEFAULT_LENGTH
    classes = _classes(p)
    require_each = p.get("RequireEachIncludedType", True)
    # A type ExcludeCharacters empties is no longer an included type.
    usable = [c for c in classes if c]
    if not usable:
        # ecsd's own text: AWS's for this case is not documented.
        raise AwsError(
            "InvalidParameterException",
            "The password cannot be generated: the request excludes every character.",
        )
    if require_each and length < len(usable):
        raise AwsError(
            "InvalidParameterException",
            "Password length is too short based on the required types.",
        )
    rng = secrets.SystemRandom()
    chosen = [rng.choice(c) for c in usable] if require_each else []
    pool = "".join(usable)
    chosen += [rng.choice(pool) for _ in range(length - len(chosen))]
    rng.shuffle(chosen)
    return {"RandomPassword": "".join(chosen)}

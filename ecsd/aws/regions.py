"""Which names the SigV4 credential scope may carry as its region.

The scope's region decides whose resources a request sees (ARNs, rows), so garbage there
— a 10 KB name, control characters, a lone surrogate from invalid UTF-8 in the header —
must not reach the store. AWS answers a scope it does not serve with a 403:
`InvalidSignatureException` from its JSON services and `SignatureDoesNotMatch` from its
Query ones, "Credential should be scoped to a valid region, not '<region>'. ".
"""

from __future__ import annotations

import re

from .errors import AwsError, clip

# AWS's region names: partition-ish prefix, a direction or place, a number
# (us-east-1, eu-central-2, us-gov-west-1, cn-north-1, ap-southeast-7, us-isob-east-1).
_AWS_REGION = re.compile(r"[a-z]{2}(-[a-z]+){1,3}-[0-9]{1,2}", re.ASCII)


def valid(region: str, configured: str) -> bool:
    """A region ecsd accepts in the scope: any AWS-shaped name, or the one it was
    configured with (which may be a local name, as other local emulators allow)."""
    return region == configured or bool(_AWS_REGION.fullmatch(region))


def check(region: str, configured: str, *, query: bool) -> None:
    if valid(region, configured):
        return
    shown = clip(region.encode("utf-8", "backslashreplace").decode("ascii", "replace"), 100)
    raise AwsError(
        "SignatureDoesNotMatch" if query else "InvalidSignatureException",
        f"Credential should be scoped to a valid region, not '{shown}'. ",
        status=403,
    )

"""Parameter names, ARNs and references, with Parameter Store's rules and error texts.

A reference (what GetParameter and ECS's `valueFrom` accept) is a name or an ARN,
optionally followed by a selector: `:<version>` or `:<label>`. An ARN spells `/a/b` as
`parameter/a/b` and `x` as `parameter/x`; which one it meant is decided by which exists.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ...aws.errors import AwsError
from ...core import numbers, partitions

MAX_DEPTH = 15
_CHARS = re.compile(r"^[A-Za-z0-9_.\-/]+$")
_RESERVED = re.compile(r"^/?(aws|ssm)", re.IGNORECASE)
_ARN = re.compile(r"^arn:aws[\w-]*:ssm:([\w-]*):(\d*):parameter/(.+)$")

NAME_RULES = (
    'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive). '
    "If formed as a path, it can consist of sub-paths divided by slash symbol; each "
    "sub-path can be formed as a mix of letters, numbers and the following 3 "
    "symbols .-_"
)
PATH_RULES = (
    "The parameter doesn't meet the parameter name requirements. The parameter "
    'name must begin with a forward slash "/". It can\'t be prefixed with "aws" '
    'or "ssm" (case-insensitive). It must use only letters, numbers, or the '
    "following symbols: . (period), - (hyphen), _ (underscore). Special characters "
    "are not allowed. All sub-paths, if specified, must use the forward slash "
    'symbol "/". Valid example: /get/parameters2-/by1./path0_.'
)


def arn(region: str, account: str, name: str) -> str:
    return partitions.arn("ssm", region, account, f"parameter/{name.lstrip('/')}")


def spellings(name: str) -> tuple[str, ...]:
    """The names that mean the same parameter as `name`, `name` first. Parameter Store
    treats a top-level `/foo` and `foo` as one parameter (PutParameter of one refuses
    while the other exists; Get/Delete/tags/history of either reach it); a deeper name
    must start with its slash, so it has one spelling."""
    bare = name[1:] if name.startswith("/") else name
    if "/" in bare or not bare:
        return (name,)
    return (name, bare) if name.startswith("/") else (name, "/" + name)


def parent(name: str) -> str | None:
    """The path a hierarchical name sits in; None for a name without a leading slash."""
    if not name.startswith("/"):
        return None
    head = name.rsplit("/", 1)[0]
    return head or "/"


def _well_formed(name: str) -> bool:
    return bool(_CHARS.match(name)) and "//" not in name and not name.endswith("/")


def check_new(name: str) -> None:
    """The rules PutParameter applies to a name it creates."""
    if not _well_formed(name) or _RESERVED.match(name):
        raise AwsError("ValidationException", NAME_RULES)
    if "/" in name and not name.startswith("/"):
        raise AwsError("ValidationException", "Parameter name must be a fully qualified name.")
    if name.count("/") > MAX_DEPTH:
        raise AwsError(
            "HierarchyLevelLimitExceededException",
            "A hierarchy can have a maximum of 15 levels. For more information, "
            "see Requirements and constraints for parameter names in the Amazon "
            "Web Services Systems Manager User Guide.",
        )


def check_path(path: str) -> str:
    """A GetParametersByPath / Path filter path, without its trailing slash ('/' stays)."""
    if not path.startswith("/") or "//" in path or not _CHARS.match(path):
        raise AwsError("ValidationException", PATH_RULES)
    if path.count("/") > MAX_DEPTH + 1:
        raise AwsError(
            "HierarchyLevelLimitExceededException",
            "A hierarchy can have a maximum of 15 levels. For more information, "
            "see Requirements and constraints for parameter names in the Amazon "
            "Web Services Systems Manager User Guide.",
        )
    return path.rstrip("/") or "/"


@dataclass(frozen=True)
class Reference:
    region: str
    candidates: tuple[str, ...]  # names it may mean, most likely first
    selector: str  # "" or ":<version>" or ":<label>"
    given: str  # as the caller wrote it, for InvalidParameters and messages

    @property
    def version(self) -> int | None:
        return numbers.decimal(self.selector[1:])

    @property
    def label(self) -> str | None:
        return self.selector[1:] if self.selector and self.version is None else None


def reference(
    ref: str, *, region: str, account: str, cross_region: bool = False
) -> Reference | None:
    """Parse a name or ARN with an optional selector. None when it cannot name any
    parameter here (an ARN of another account, or of another region unless
    `cross_region`: the ECS agent, unlike an API call, reads from the ARN's region);
    ValidationException when it is not a parameter name at all."""
    m = _ARN.match(ref)
    if m is not None:
        if (m.group(2) and m.group(2) != account) or (
            not cross_region and m.group(1) and m.group(1) != region
        ):
            return None
        split = _split_selector(m.group(3))
        if split is None:
            return None
        body, selector = split
        if not _well_formed("/" + body):
            raise AwsError("ValidationException", NAME_RULES)
        # `parameter/x` is `/x` or `x`; `parameter/a/b` can only be `/a/b`.
        names = ("/" + body,) if "/" in body else ("/" + body, body)
        return Reference(m.group(1) or region, names, selector, ref)
    split = _split_selector(ref)
    if split is None:
        return None
    body, selector = split
    if not _well_formed(body) or ("/" in body and not body.startswith("/")):
        raise AwsError("ValidationException", NAME_RULES)
    return Reference(region, spellings(body), selector, ref)


def _split_selector(ref: str) -> tuple[str, str] | None:
    """(name, selector); None for `a:1:2` and the like, which name nothing."""
    if ":" not in ref:
        return ref, ""
    body, _, selector = ref.partition(":")
    if not selector or ":" in selector:
        return None
    return body, ":" + selector

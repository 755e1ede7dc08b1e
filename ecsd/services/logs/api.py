"""The CloudWatch Logs provider object every Logs module registers its operations on.

Logs answers input that breaks the model's rules with InvalidParameterException, and it
also enforces the model's regular expressions (a log group name with a space in it is
refused), which the generic validator leaves alone; `operation` adds that check.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context, Handler, Provider

logs = Provider(
    "logs",
    validation_error="InvalidParameterException",
    internal_error="ServiceUnavailableException",
)


def _patterns(name: str) -> dict[str, tuple[str, re.Pattern[str]]]:
    """Top-level string members of the operation's input that carry a `pattern`."""
    model = logs.spec.operation(name)
    shape = model.input_shape if model is not None else None
    found: dict[str, tuple[str, re.Pattern[str]]] = {}
    for member, sub in shape.members.items() if shape is not None else ():
        pattern = sub.metadata.get("pattern")
        if sub.type_name != "string" or not pattern:
            continue
        try:
            found[member] = (pattern, re.compile(pattern))
        except re.error:  # a Java-only construct (\p{L}…): leave it to the service docs
            continue
    return found


def operation(name: str, *, write: bool = False) -> Callable[[Handler], Handler]:
    """`logs.operation`, plus the model's `pattern` checks on the top-level inputs."""
    patterns = _patterns(name)

    def register(fn: Handler) -> Handler:
        @functools.wraps(fn)
        def checked(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
            problems = [
                f"Value '{p[member]}' at '{member}' failed to satisfy constraint: Member must "
                f"satisfy regular expression pattern: {text}"
                for member, (text, regex) in patterns.items()
                if isinstance(p.get(member), str) and not regex.fullmatch(p[member])
            ]
            if problems:
                n = len(problems)
                raise AwsError(
                    "InvalidParameterException",
                    f"{n} validation error{'s' if n > 1 else ''} detected: " + "; ".join(problems),
                )
            return fn(ctx, p)

        logs.operation(name, write=write)(checked)
        return fn

    return register

"""The CloudWatch Logs provider object every Logs module registers its operations on.

Logs answers input that breaks the model's rules with InvalidParameterException, and it
also enforces the model's regular expressions (a log group name with a space in it is
refused): the provider asks the generic validator for those too (aws/validate.py).
"""

from __future__ import annotations

from collections.abc import Callable

from ...aws.provider import Handler, Provider

logs = Provider(
    "logs",
    validation_error="InvalidParameterException",
    internal_error="ServiceUnavailableException",
    patterns=True,
)


def operation(name: str, *, write: bool = False) -> Callable[[Handler], Handler]:
    """`logs.operation` (the Logs modules register through this name)."""
    return logs.operation(name, write=write)

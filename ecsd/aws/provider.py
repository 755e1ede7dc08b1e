"""How a service plugs into the wire layer.

A provider is a set of plain functions, one per operation, registered with
`@provider.operation("Name", write=True)`. Each one receives a unit of work
(core.unit.Unit, called `Context` here: an open store transaction, the caller's region
and account, the clock) and the decoded, validated input as a dict, and returns the
output as a dict — or raises `AwsError`. A write operation runs in one write
transaction: if it raises, nothing it did is kept.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..core.unit import Unit
from . import models

# The handlers' name for the unit of work (it is defined in core/, not here).
Context = Unit
Handler = Callable[[Unit, dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Operation:
    handler: Handler
    write: bool


class Provider:
    def __init__(
        self,
        service: str,
        *,
        validation_error: str = "ValidationException",
        internal_error: str = "InternalFailure",
        patterns: bool = False,
    ) -> None:
        self.spec = models.load(service)
        # The error codes this service answers for input that breaks the model's rules,
        # and for a fault of ecsd's own.
        self.validation_error = validation_error
        self.internal_error = internal_error
        # Whether the service's front end also enforces the model's regular expressions
        # (CloudWatch Logs and Parameter Store do; see aws/validate.py).
        self.patterns = patterns
        self.operations: dict[str, Operation] = {}

    def operation(self, name: str, *, write: bool = False) -> Callable[[Handler], Handler]:
        if self.spec.operation(name) is None:
            raise ValueError(f"{self.spec.name} has no operation {name}")

        def register(fn: Handler) -> Handler:
            self.operations[name] = Operation(fn, write)
            return fn

        return register

"""How a service plugs into the wire layer.

A provider is a set of plain functions, one per operation, registered with
`@provider.operation("Name", write=True)`. Each one receives a `Context` (an open store
transaction, the caller's region and account) and the decoded, validated input as a
dict, and returns the output as a dict — or raises `AwsError`. A write operation runs
in one write transaction: if it raises, nothing it did is kept.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection

from ..config import Settings
from . import models

Handler = Callable[["Context", dict[str, Any]], dict[str, Any]]


@dataclass
class Context:
    conn: Connection
    region: str
    account: str
    request_id: str
    settings: Settings
    now: float = field(default_factory=time.time)
    # Names of things this write changed, so that controllers can be woken once the
    # transaction has committed (not before: they must see the new state).
    changed: set[str] = field(default_factory=set)

    @property
    def principal(self) -> str:
        return f"arn:aws:iam::{self.account}:root"

    def arn(self, service: str, resource: str) -> str:
        return f"arn:aws:{service}:{self.region}:{self.account}:{resource}"


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
    ) -> None:
        self.spec = models.load(service)
        # The error codes this service answers for input that breaks the model's rules,
        # and for a fault of ecsd's own.
        self.validation_error = validation_error
        self.internal_error = internal_error
        self.operations: dict[str, Operation] = {}

    def operation(self, name: str, *, write: bool = False) -> Callable[[Handler], Handler]:
        if self.spec.operation(name) is None:
            raise ValueError(f"{self.spec.name} has no operation {name}")

        def register(fn: Handler) -> Handler:
            self.operations[name] = Operation(fn, write)
            return fn

        return register

"""The hooks both halves of EC2's networking share, so that the routing half (route
tables, network ACLs, gateways, addresses, endpoints) adds what a VPC or a subnet
brings with it, and what keeps one from being deleted, without editing the VPC and
subnet code paths.

Register at import time of your model module (its package is imported wherever EC2
records are written):

    from . import vpc_lifecycle

    @vpc_lifecycle.on_vpc_created
    def _main_route_table(unit: Unit, vpc: dict[str, Any]) -> None: ...   # vpc: the Vpc doc

    @vpc_lifecycle.vpc_blocker
    def _gateways(unit: Unit, vpc_id: str) -> bool: ...   # True: DependencyViolation

    @vpc_lifecycle.on_vpc_deleted
    def _drop_main_route_table(unit: Unit, vpc_id: str) -> None: ...

and likewise `on_subnet_created` (the Subnet doc), `subnet_blocker`, `on_subnet_deleted`.

Order of a create: the VPC's row is written, its default security group made, then
every `on_vpc_created` hook runs (in registration order) in the same unit of work —
the default VPC (doc `IsDefault` true) goes through the same path, so a hook that makes
the default VPC's internet gateway checks `vpc["IsDefault"]`. A delete asks every
blocker first (any True refuses the whole delete with DependencyViolation, changing
nothing), then runs every `on_*_deleted` hook, then removes the row. A hook that raises
AwsError refuses the call; the unit of work rolls back everything it did.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...core.unit import Unit

Created = Callable[[Unit, dict[str, Any]], None]
Blocker = Callable[[Unit, str], bool]
Deleted = Callable[[Unit, str], None]

_vpc_created: list[Created] = []
_vpc_blockers: list[Blocker] = []
_vpc_deleted: list[Deleted] = []
_subnet_created: list[Created] = []
_subnet_blockers: list[Blocker] = []
_subnet_deleted: list[Deleted] = []


def _adder(hooks: list[Any]) -> Callable[[Any], Any]:
    def add(fn: Any) -> Any:
        if fn not in hooks:  # a module imported twice registers once
            hooks.append(fn)
        return fn

    return add


on_vpc_created: Callable[[Created], Created] = _adder(_vpc_created)
vpc_blocker: Callable[[Blocker], Blocker] = _adder(_vpc_blockers)
on_vpc_deleted: Callable[[Deleted], Deleted] = _adder(_vpc_deleted)
on_subnet_created: Callable[[Created], Created] = _adder(_subnet_created)
subnet_blocker: Callable[[Blocker], Blocker] = _adder(_subnet_blockers)
on_subnet_deleted: Callable[[Deleted], Deleted] = _adder(_subnet_deleted)


def vpc_created(unit: Unit, vpc: dict[str, Any]) -> None:
    for fn in _vpc_created:
        fn(unit, vpc)


def vpc_blocked(unit: Unit, vpc_id: str) -> bool:
    return any(fn(unit, vpc_id) for fn in _vpc_blockers)


def vpc_deleted(unit: Unit, vpc_id: str) -> None:
    for fn in _vpc_deleted:
        fn(unit, vpc_id)


def subnet_created(unit: Unit, subnet: dict[str, Any]) -> None:
    for fn in _subnet_created:
        fn(unit, subnet)


def subnet_blocked(unit: Unit, subnet_id: str) -> bool:
    return any(fn(unit, subnet_id) for fn in _subnet_blockers)


def subnet_deleted(unit: Unit, subnet_id: str) -> None:
    for fn in _subnet_deleted:
        fn(unit, subnet_id)

"""The typed change bus: what a committed write changed, told to whoever cares.

A write (an API handler or a controller, inside a unit of work) records events; once its
transaction has committed — not before: listeners must see the new state — the events are
published. Controllers subscribe to the kinds they act on, and each event names its
object, so that a task's change wakes that task's worker and its service's worker, not
every worker (with 400 tasks running, one RunTask used to poke all 400). The console's
change feed subscribes to `Event`, which hears every kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar


@dataclass(frozen=True)
class Event:
    """Something a committed write changed."""


@dataclass(frozen=True)
class TaskChanged(Event):
    """A task was created or its document changed (any status, desired or observed)."""

    arn: str
    service_arn: str | None = None  # the service whose deployment made it, if any


@dataclass(frozen=True)
class ServiceChanged(Event):
    """A service was created, updated, scaled or deleted."""

    arn: str


@dataclass(frozen=True)
class EcrImagesChanged(Event):
    """A repository's images (a push, a delete) or its lifecycle policy changed: the
    ECR lifecycle controller evaluates the region's policies soon after (not for a
    delete), and after a delete the registry's garbage collector sweeps."""

    region: str
    repository: str
    # Images were deleted (their blobs may be unreferenced now): the registry's garbage
    # collector sweeps soon after, not only at its periodic pass.
    deleted: bool = False


@dataclass(frozen=True)
class TargetHealthChanged(Event):
    """A target's health (as DescribeTargetHealth shows it) changed: the services whose
    tasks it is wake, since a deployment waits for, or replaces on, exactly this."""

    target_group_arn: str
    target_id: str
    port: int


E = TypeVar("E", bound=Event)
Listener = Callable[[Event], None]


class Bus:
    """Synchronous fan-out on the event loop: listeners only set flags and poke workers,
    so publishing costs a dictionary lookup per event."""

    def __init__(self) -> None:
        self._listeners: dict[type[Event], list[Callable[[Event], None]]] = {}

    def subscribe(self, kind: type[E], listener: Callable[[E], None]) -> None:
        """`listener` hears every event of `kind`; `Event` itself hears them all (the
        console's change feed)."""
        self._listeners.setdefault(kind, []).append(listener)  # type: ignore[arg-type]

    def publish(self, events: Iterable[Event]) -> None:
        for event in events:
            for listener in self._listeners.get(type(event), ()):
                listener(event)
            for listener in self._listeners.get(Event, ()):
                listener(event)


@dataclass(frozen=True)
class LoadBalancingChanged(Event):
    """An ELBv2 write changed load balancers, listeners, rules, target groups or targets:
    the load-balancing controller rebuilds its routing table."""


@dataclass(frozen=True)
class AlarmStateChanged(Event):
    """A CloudWatch alarm moved from one state (OK, ALARM, INSUFFICIENT_DATA) to another,
    by evaluation or SetAlarmState: what an alarm's actions (scaling policies) act on."""

    region: str
    alarm_name: str
    old: str
    new: str
    reason: str


@dataclass(frozen=True)
class DnsRecordsChanged(Event):
    """A Route 53 change batch was applied: a certificate waiting for its DNS validation
    record may now be issued (controllers/acm_validation.py)."""

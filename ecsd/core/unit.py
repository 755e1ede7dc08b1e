"""The unit of work: one store transaction with who asks, where, and when.

Everything that reads or writes the domain — an API handler, a controller's pass — gets a
`Unit`: the open connection, the caller's region and account, the settings, the clock
(`now` is read once, so that every timestamp one write makes agrees), and the typed
events the write records. The events are published on the bus only after the
transaction has committed (listeners must see the new state), by `Units.run`, the one
place that opens units for the gateway and the controllers.

It lives in core/ because every box uses it and it belongs to none: the wire layer only
runs it, the model writes through it, the controllers open their own.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from . import partitions
from .bus import Event
from .clock import Clock, SystemClock

if TYPE_CHECKING:  # only for the type: core imports nothing of ecsd at run time
    from sqlalchemy import Connection

T = TypeVar("T")


@dataclass
class Unit:
    conn: Connection
    region: str
    account: str
    settings: Any  # ecsd.config.Settings; core does not import the daemon's configuration
    request_id: str = ""
    clock: Clock = field(default_factory=SystemClock)
    # The access key id the request was signed with ("" for a controller's pass): STS
    # answers who it belongs to.
    caller: str = ""
    # What this write changed, in the order written; published once committed.
    changed: list[Event] = field(default_factory=list)
    now: float = field(init=False)

    def __post_init__(self) -> None:
        self.now = self.clock.time()

    def record(self, event: Event) -> None:
        """Note that this write changed something (each event once)."""
        if event not in self.changed:
            self.changed.append(event)

    @property
    def principal(self) -> str:
        return partitions.global_arn("iam", self.region, self.account, "root")

    def arn(self, service: str, resource: str) -> str:
        return partitions.arn(service, self.region, self.account, resource)


class Transactions(Protocol):
    """What `Units` needs of the store: run a function in a write or a read transaction
    (store.Store is one)."""

    def write(self, fn: Callable[[Any], T]) -> Awaitable[T]: ...

    def read(self, fn: Callable[[Any], T]) -> Awaitable[T]: ...


class Units:
    """Opens units of work on the store and publishes what they changed once committed.
    The composition root makes one and hands it to the gateway and the controllers."""

    def __init__(
        self,
        store: Transactions,
        *,
        settings: Any,
        clock: Clock,
        publish: Callable[[Iterable[Event]], None],
    ) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.publish = publish

    def open(
        self, conn: Connection, *, region: str, request_id: str = "", caller: str = ""
    ) -> Unit:
        return Unit(
            conn=conn,
            region=region,
            account=self.settings.account_id,
            settings=self.settings,
            request_id=request_id,
            clock=self.clock,
            caller=caller,
        )

    async def run(
        self,
        fn: Callable[[Unit], T],
        *,
        region: str,
        write: bool = True,
        request_id: str = "",
        caller: str = "",
    ) -> T:
        """Run `fn` in one transaction (a write, or a read beside the writer); if it
        raises, nothing it did is kept and nothing is published."""
        events: list[Event] = []

        def body(conn: Connection) -> T:
            unit = self.open(conn, region=region, request_id=request_id, caller=caller)
            result = fn(unit)
            events[:] = unit.changed  # a retried body replaces, never adds to, the events
            return result

        result = await (self.store.write if write else self.store.read)(body)
        if events:
            self.publish(events)
        return result

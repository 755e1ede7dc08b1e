"""Everything the task controller asks of the rest of ecsd's model, in one small module.

The controller reads and writes task rows, stops tasks the way the API does (`request_stop`,
which keeps the first reason), resolves secrets at start, checks awslogs log streams and
reads where a stream's ingestion stopped — through the domain model (model/ecs) and the
log sink, all called from here so that the controller's steps never touch a row.

It is also where a committed write's events reach the bus: the model records
`TaskChanged(arn, service_arn)` for every task write, so the task's service hears of it.
The controller ignores the events of its own writes (`own_write`), so a status it just
wrote does not wake the worker that wrote it.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, select

from ...config import Settings
from ...core.bus import Bus, Event
from ...core.clock import Clock
from ...core.unit import Unit as Context
from ...model.ecs import tasks as task_api
from ...model.ecs.secrets import SecretResolutionError, resolve
from ...model.logs import ingest
from ...store import Store
from ...store.schema.ecs_tasks import tasks

T = TypeVar("T")
Doc = dict[str, Any]
Loaded = tuple[Doc, Doc]  # a task's document and its runtime record
# A change to apply to a task inside its write: (context, document, runtime record).
Mutate = Callable[[Context, Doc, Doc], T]

LogSink = ingest.LogSink
LogGroupMissing = ingest.LogGroupMissing
SecretError = SecretResolutionError
__all__ = ["LogGroupMissing", "LogSink", "SecretError", "TaskGone", "TaskStore"]


class TaskGone(Exception):
    """The task's row disappeared (a reset, or the purge) while a step was under way."""


class TaskStore:
    def __init__(self, store: Store, settings: Settings, clock: Clock, bus: Bus) -> None:
        self.store = store
        self.settings = settings
        self.clock = clock
        self.bus = bus
        self.own_write = False  # true while this controller's events are published

    async def load(self, arn: str) -> tuple[Doc, Doc] | None:
        def read(conn: Connection) -> tuple[Doc, Doc] | None:
            row = conn.execute(
                select(tasks.c.doc, tasks.c.runtime).where(tasks.c.arn == arn)
            ).first()
            return (copy.deepcopy(row.doc), copy.deepcopy(row.runtime)) if row else None

        return await self.store.read(read)

    async def deployment_pins(self, started_by: str, cluster_arn: str) -> dict[str, str] | None:
        """The images the first task of this service deployment pinned (container name →
        image id or digest reference), so every task of a deployment runs the same image
        (versionConsistency); None when no task of it has pinned yet."""

        def read(conn: Connection) -> dict[str, str] | None:
            rows = conn.execute(
                select(tasks.c.runtime)
                .where(tasks.c.started_by == started_by, tasks.c.cluster_arn == cluster_arn)
                .order_by(tasks.c.created_at)
            )
            for row in rows:
                pins = (row.runtime or {}).get("imagePins")
                if pins is not None:
                    return dict(pins)
            return None

        return await self.store.read(read)

    async def unfinished(self) -> dict[str, str]:
        """arn → desiredStatus of every task not STOPPED."""
        return await self.store.read(
            lambda c: {
                r.arn: r.desired_status
                for r in c.execute(
                    select(tasks.c.arn, tasks.c.desired_status).where(
                        tasks.c.last_status != "STOPPED"
                    )
                )
            }
        )

    def _unit(self, conn: Connection, region: str) -> Context:
        return Context(
            conn=conn,
            region=region,
            account=self.settings.account_id,
            settings=self.settings,
            request_id="task-controller",
            clock=self.clock,
        )

    async def update(self, arn: str, mutate: Mutate[T]) -> T:
        """Apply `mutate` to the task as it is now in the store (the API may have changed
        it meanwhile) and save it, in one transaction; then publish what changed."""

        def write(conn: Connection) -> tuple[T, list[Event]]:
            row = conn.execute(
                select(tasks.c.doc, tasks.c.runtime, tasks.c.region).where(tasks.c.arn == arn)
            ).first()
            if row is None:
                raise TaskGone(arn)
            ctx = self._unit(conn, row.region)
            doc, rt = copy.deepcopy(row.doc), copy.deepcopy(row.runtime)
            result = mutate(ctx, doc, rt)
            task_api.save(ctx, doc, runtime=rt)
            return result, ctx.changed

        result, events = await self.store.write(write)
        self.own_write = True
        try:
            self.bus.publish(events)
        finally:
            self.own_write = False
        return result

    @staticmethod
    def request_stop(ctx: Context, doc: Doc, *, stop_code: str, reason: str) -> None:
        """desiredStatus STOPPED with the why, inside an `update` (the first reason
        given is the one kept, as the API's StopTask does)."""
        task_api.request_stop(ctx, doc, stop_code=stop_code, reason=reason, persist=False)

    async def purge(self, older_than: float) -> None:
        """Forget tasks STOPPED before `older_than` (ECS shows them for a while only)."""

        await self.store.write(
            lambda conn: task_api.purge_stopped(self._unit(conn, self.settings.region), older_than)
        )

    async def secrets(self, doc: Doc, rt: Doc) -> dict[str, dict[str, str]]:
        """Container name → {variable: plaintext}; raises SecretError. Resolved at start
        and handed to the runtime, never stored."""
        region = doc["taskArn"].split(":")[3]

        def read(conn: Connection) -> dict[str, dict[str, str]]:
            unit = self._unit(conn, region)
            return {
                d["name"]: {
                    s["name"]: resolve(unit, s["valueFrom"]) for s in d.get("secrets") or []
                }
                for d in rt["containers"]
            }

        return await self.store.read(read)

    async def ensure_stream(self, region: str, group: str, stream: str, create: bool) -> None:
        """The awslogs stream exists (its group too, with awslogs-create-group); raises
        LogGroupMissing otherwise."""
        await self.store.write(
            functools.partial(
                ingest.append,
                region=region,
                account=self.settings.account_id,
                group=group,
                stream=stream,
                events=[],
                create_group=create,
            )
        )

    async def last_log_timestamp(self, region: str, group: str, stream: str) -> int | None:
        return await self.store.read(
            lambda c: ingest.last_timestamp(c, region=region, group=group, stream=stream)
        )

"""Everything the task controller asks of the rest of ecsd's model, in one small module.

The controller reads and writes task rows, stops tasks the way the API does (`request_stop`,
which keeps the first reason), resolves secrets at start, checks awslogs log streams and
reads where a stream's ingestion stopped. Those live in the API's service modules today
and are moving to the domain model; keeping every call into them here means the move
rewires this file and nothing else.

It is also where a committed write becomes bus events: a write through `update` publishes
`TaskChanged(arn, service_arn)`, so that the task's service hears of it. The controller
ignores the events of its own writes (`own_write`), so a status it just wrote does not
wake the worker that wrote it.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, delete, select

from ...aws.provider import Context
from ...config import Settings
from ...core.bus import Bus, TaskChanged
from ...core.clock import Clock
from ...services.ecs import arns
from ...services.ecs import tasks as task_api
from ...services.ecs.container_secrets import SecretResolutionError, resolve
from ...services.logs import ingest
from ...store import Store
from ...store.schema.ecs import tags
from ...store.schema.ecs_tasks import tasks

T = TypeVar("T")
Doc = dict[str, Any]
Loaded = tuple[Doc, Doc]  # a task's document and its runtime record
# A change to apply to a task inside its write: (context, document, runtime record).
Mutate = Callable[[Context, Doc, Doc], T]

LogSink = ingest.LogSink
LogGroupMissing = ingest.LogGroupMissing
SecretError = SecretResolutionError
__all__ = ["LogGroupMissing", "LogSink", "SecretError", "TaskGone", "TaskStore", "bridge"]


class TaskGone(Exception):
    """The task's row disappeared (a reset, or the purge) while a step was under way."""


def wakes_tasks(topics: set[str]) -> bool:
    """Whether a write's string topics (the API's, until they are typed events) concern
    tasks at all."""
    return task_api.TOPIC in topics


def bridge(bus: Bus, notify: Callable[[set[str]], None]) -> None:
    """Until the service scheduler subscribes to the bus itself: tell it, in its string
    topics, of the task changes the task controller publishes."""

    def tell(event: TaskChanged) -> None:
        if event.service_arn:
            notify({arns.service_topic(event.service_arn)})

    bus.subscribe(TaskChanged, tell)


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

    async def update(self, arn: str, mutate: Mutate[T]) -> T:
        """Apply `mutate` to the task as it is now in the store (the API may have changed
        it meanwhile) and save it, in one transaction; then publish what changed."""

        def write(conn: Connection) -> tuple[T, list[TaskChanged]]:
            row = conn.execute(
                select(tasks.c.doc, tasks.c.runtime, tasks.c.region).where(tasks.c.arn == arn)
            ).first()
            if row is None:
                raise TaskGone(arn)
            ctx = Context(
                conn=conn,
                region=row.region,
                account=self.settings.account_id,
                request_id="task-controller",
                settings=self.settings,
                now=self.clock.time(),
            )
            doc, rt = copy.deepcopy(row.doc), copy.deepcopy(row.runtime)
            result = mutate(ctx, doc, rt)
            task_api.save(ctx, doc, runtime=rt)
            events = []
            if wakes_tasks(ctx.changed):
                service = arns.service_of_task(doc["clusterArn"], doc["group"])
                events.append(TaskChanged(arn, service))
            return result, events

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

        def purge(conn: Connection) -> None:
            old = [
                r.arn
                for r in conn.execute(
                    select(tasks.c.arn).where(
                        tasks.c.last_status == "STOPPED", tasks.c.stopped_at < older_than
                    )
                )
            ]
            if old:
                conn.execute(delete(tags).where(tags.c.arn.in_(old)))
                conn.execute(delete(tasks).where(tasks.c.arn.in_(old)))

        await self.store.write(purge)

    async def secrets(self, doc: Doc, rt: Doc) -> dict[str, dict[str, str]]:
        """Container name → {variable: plaintext}; raises SecretError. Resolved at start
        and handed to the runtime, never stored."""
        region = doc["taskArn"].split(":")[3]

        def read(conn: Connection) -> dict[str, dict[str, str]]:
            return {
                d["name"]: {
                    s["name"]: resolve(
                        conn,
                        region=region,
                        account=self.settings.account_id,
                        settings=self.settings,
                        value_from=s["valueFrom"],
                    )
                    for s in d.get("secrets") or []
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

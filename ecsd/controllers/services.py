"""The service scheduler: keeps each service's tasks matching its deployments.

One worker per ACTIVE or DRAINING service (loop.Workers). A worker sleeps until its
service or one of the service's tasks changes (the store's change topics poke exactly
that worker), or until a time it asked for (a task's time to count as healthy, a grace
period, a backoff), and then runs one pass (service_tick.Tick) in one store transaction.
At steady state nothing changes and nothing runs: no polling.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from collections.abc import Callable

from sqlalchemy import Connection, select

from ..aws.provider import Context
from ..config import Settings
from ..services.ecs import arns
from ..services.ecs import services as service_api
from ..store import Store
from ..store.schema.ecs_services import services
from .loop import Workers, wait_poke
from .service_tick import Tick

log = logging.getLogger(__name__)

RESYNC_SECONDS = 30.0


class ServiceController:
    def __init__(
        self, store: Store, settings: Settings, notify: Callable[[set[str]], None]
    ) -> None:
        self.store = store
        self.settings = settings
        self.notify = notify
        self.workers = Workers(self._work)
        self._wake = asyncio.Event()
        self._background: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        self._background = [asyncio.create_task(self._supervise(), name="service supervisor")]

    async def stop(self) -> None:
        for t in self._background:
            t.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await self.workers.stop()

    def wake(self, topics: set[str]) -> None:
        if service_api.TOPIC in topics:
            self._wake.set()
        for topic in topics:
            if topic.startswith(arns.SERVICE_TOPIC):
                self.workers.poke(topic[len(arns.SERVICE_TOPIC) :])

    async def _supervise(self) -> None:
        while True:
            try:
                arns = await self.store.read(
                    lambda c: [
                        r.arn
                        for r in c.execute(
                            select(services.c.arn).where(
                                services.c.status.in_(("ACTIVE", "DRAINING"))
                            )
                        )
                    ]
                )
                for arn in arns:
                    self.workers.ensure(arn)
            except Exception:
                log.exception("service supervisor pass failed")
            await wait_poke(self._wake, RESYNC_SECONDS)

    async def _work(self, arn: str, poke: asyncio.Event) -> None:
        while True:
            poke.clear()  # what happened before this pass, the pass sees
            next_at, changed = await self.store.write(lambda c: self._tick(c, arn))
            if changed:
                self.notify(changed)
            if next_at is None:
                return
            await wait_poke(poke, max(0.0, next_at - time.time()))

    def _tick(self, conn: Connection, arn: str) -> tuple[float | None, set[str]]:
        row = conn.execute(
            select(services.c.doc, services.c.scheduler, services.c.region).where(
                services.c.arn == arn
            )
        ).first()
        if row is None or row.doc["status"] == "INACTIVE":
            return None, set()
        ctx = Context(
            conn=conn,
            region=row.region,
            account=self.settings.account_id,
            request_id="service-scheduler",
            settings=self.settings,
        )
        doc, state = copy.deepcopy(row.doc), copy.deepcopy(row.scheduler)
        tick = Tick(ctx=ctx, doc=doc, state=state, healthy_after=self.settings.task_healthy_after)
        next_at = tick.run()
        if doc != row.doc or state != row.scheduler:
            service_api.save(ctx, doc, state)
        # Its own writes would only wake this worker again for nothing.
        ctx.changed.discard(arns.service_topic(arn))
        return (None if doc["status"] == "INACTIVE" else next_at), ctx.changed

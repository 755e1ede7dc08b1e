"""The task controller: makes containers match each task's desired status.

One worker per unfinished task (loop.Workers) takes the steps of `steps.py`. Around them:
the resync (lists unfinished tasks, keeps a worker for each, and wakes the one whose
desiredStatus the API changed), the engine's event stream (wakes the worker of the task
an event concerns), the sweep (removes containers of ours no unfinished task owns) and
the purge of long-stopped tasks.

Wake-ups are per task: a `TaskChanged` on the bus (RunTask, StopTask, the scheduler's
writes) ensures and pokes that task's worker only, so with hundreds of running tasks one
RunTask costs one worker's steps instead of one engine round-trip per task. The resync
every few seconds is the safety net: it pokes only workers whose desiredStatus moved.
"""

from __future__ import annotations

import asyncio
import logging

from ...config import Settings
from ...core.bus import Bus, TaskChanged
from ...core.clock import Clock
from ...model.ecs import lifecycle
from ...model.ecs.lifecycle import TaskStatus as S
from ...runtime.base import Runtime, RuntimeError_, RuntimeUnavailable
from ...store import Store
from ..loop import Backoff, Workers
from . import awslogs
from .inside import Inside
from .labels import LABEL_INSTANCE, LABEL_TASK
from .steps import Drain, OnStatus, Steps, no_status_hook, nothing_to_drain
from .store_access import Loaded, LogSink, TaskGone, TaskStore

log = logging.getLogger(__name__)

RESYNC_SECONDS = 5.0
SWEEP_SECONDS = 60.0
EVENTS_RECONNECT_SECONDS = 1.0
# A start step that keeps failing for an unexpected reason is given up after this many
# tries (about a minute of backoff): the task stops instead of starting some day.
START_ATTEMPTS = 6
# While no engine answers, a running task's worker looks again this often (the event
# stream's reconnection pokes it sooner once the engine is back).
WATCH_SECONDS_ON_OUTAGE = 120.0


class TaskController:
    def __init__(
        self,
        store: Store,
        runtime: Runtime,
        settings: Settings,
        sink: LogSink,
        instance_id: str,
        *,
        bus: Bus,
        clock: Clock,
        drain: Drain = nothing_to_drain,
        on_status: OnStatus = no_status_hook,
        inside: Inside | None = None,
    ) -> None:
        self.runtime = runtime
        self.settings = settings
        self.instance_id = instance_id
        self.clock = clock
        self.access = TaskStore(store, settings, clock, bus)
        self.logs = awslogs.LogFollowers(runtime, self.access, sink, clock)
        self.steps = Steps(
            self.access,
            runtime,
            settings,
            clock,
            instance_id,
            self.logs,
            drain=drain,
            on_status=on_status,
            inside=inside,
        )
        self.workers = Workers(self._work, clock, on_failure=self._on_failure)
        self._desired: dict[str, str] = {}  # arn → desiredStatus at the last resync
        self._background: list[asyncio.Task[None]] = []
        self._running = False  # the bus cannot unsubscribe: a stopped controller ignores it
        bus.subscribe(TaskChanged, self._changed)

    # -- supervision ---------------------------------------------------------------
    async def start(self) -> None:
        self._running = True
        self._background = [
            asyncio.create_task(self._supervise(), name="task supervisor"),
            asyncio.create_task(self._events(), name="engine events"),
        ]

    async def stop(self) -> None:
        self._running = False
        for t in self._background:
            t.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await self.workers.stop()
        await self.logs.stop()

    def _changed(self, event: TaskChanged) -> None:
        if self.access.own_write or not self._running:
            return  # this controller's own write (its worker knows already), or stopped
        self.workers.ensure(event.arn)
        self.workers.poke(event.arn)

    async def _supervise(self) -> None:
        last_sweep: float | None = None
        while True:
            try:
                await self.resync()
                if last_sweep is None or self.clock.monotonic() - last_sweep > SWEEP_SECONDS:
                    await self.sweep()
                    await self.access.purge(
                        self.clock.time() - self.settings.stopped_task_retention
                    )
                    last_sweep = self.clock.monotonic()
            except Exception:
                log.exception("task supervisor pass failed")
            await self.clock.sleep(RESYNC_SECONDS)

    async def resync(self) -> None:
        """A worker for every unfinished task; a poke for each whose desiredStatus moved
        since the last look (StopTask), none for the others."""
        desired = await self.access.unfinished()
        for arn, want in desired.items():
            known = arn in self.workers
            self.workers.ensure(arn)
            if known and self._desired.get(arn) != want:
                self.workers.poke(arn)
        self._desired = desired

    async def _events(self) -> None:
        """Engine events only wake the worker of the task they concern. While no engine
        answers, reconnection backs off, and workers are woken once it answers again
        (not at every try: with hundreds of tasks that would be hundreds of failing
        calls a second)."""
        backoff = Backoff(EVENTS_RECONNECT_SECONDS)
        while True:
            try:
                await self.runtime.ping()
            except RuntimeError_ as exc:
                delay = backoff.next_delay()
                log.debug("no engine for events (%s); again in %g s", exc, delay)
                await self.clock.sleep(delay)
                continue
            backoff.reset()
            # Whatever happened while the stream was down, every worker looks again.
            self.workers.poke()
            try:
                async for _cid, _action, labels in self.runtime.events():
                    arn = labels.get(LABEL_TASK)
                    if arn and labels.get(LABEL_INSTANCE) == self.instance_id:
                        self.workers.poke(arn)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                log.debug("event stream ended (%s); reconnecting", exc)
            await self.clock.sleep(EVENTS_RECONNECT_SECONDS)

    async def sweep(self) -> None:
        """Remove containers of ours that belong to no unfinished task (a crash between
        creating a container and recording it, or during removal). Containers are listed
        before tasks are read: a container is only made for a task already stored, so a
        task started meanwhile is seen and its new container spared."""
        try:
            found = await self.runtime.labelled({LABEL_INSTANCE: self.instance_id})
        except RuntimeError_:
            return
        active = set(await self.access.unfinished())
        for state in found:
            if state.labels.get(LABEL_TASK) not in active:
                log.info("removing leftover container %s", state.name)
                await self.runtime.remove(state.id)

    # -- one task -------------------------------------------------------------------
    async def _work(self, arn: str, poke: asyncio.Event) -> None:
        written: Loaded | None = None  # the task as the last step wrote it
        prepared = False  # this worker itself moved the task to ACTIVATING
        while True:
            loaded = written or await self.access.load(arn)
            if loaded is None:
                return
            doc, rt = loaded
            fresh, written, prepared = prepared, None, False
            status = lifecycle.status(doc)
            if status == S.STOPPED:
                return
            try:
                if doc["desiredStatus"] == "STOPPED":
                    await self.steps.stop(arn, doc, rt, poke)
                elif status == S.PROVISIONING:
                    written = await self.steps.provision(arn, doc, rt)
                elif status == S.PENDING:
                    written = await self.steps.prepare(arn, doc, rt)
                    prepared = written is not None
                elif status == S.ACTIVATING:
                    await self.steps.activate(arn, doc, rt, poke, fresh=fresh)
                else:
                    await self.steps.watch(arn, doc, rt, poke)
            except TaskGone:
                return  # purged or wiped by a reset while this step ran
            except RuntimeUnavailable as exc:
                if status in lifecycle.STARTING and doc["desiredStatus"] != "STOPPED":
                    # No engine to start it on: ECS's answer for an environment that
                    # cannot host the task.
                    await self.steps.fail(arn, f"ResourceInitializationError: {exc}")
                else:  # a running task outlives an engine restart; look again later
                    await self.clock.wait(poke, WATCH_SECONDS_ON_OUTAGE)

    async def _on_failure(self, arn: str, exc: Exception, attempt: int) -> bool:
        """A step raised something unexpected. Retried with backoff (Workers); a task
        still starting after START_ATTEMPTS tries is stopped with the error as reason."""
        if attempt < START_ATTEMPTS and not isinstance(exc, lifecycle.IllegalTransition):
            return True
        try:
            loaded = await self.access.load(arn)
            if loaded is None:
                return False
            doc, _rt = loaded
            if lifecycle.status(doc) in lifecycle.STARTING and doc["desiredStatus"] != "STOPPED":
                # ecsd's own text: ECS has no reason for an agent that keeps failing.
                await self.steps.fail(
                    arn, f"ResourceInitializationError: task setup failed {attempt} times: {exc}"
                )
        except Exception:
            log.exception("could not stop task %s after its failures", arn)
        return True

"""The awslogs log driver, controller side: where a container's output goes, the check
that its stream can be written before the task starts, and one follower per container
that copies its lines into CloudWatch Logs (through the log sink) until it stops."""

from __future__ import annotations

import asyncio
from typing import Any

from ...core.clock import Clock
from ...runtime.base import ContainerState, Runtime
from .store_access import LogGroupMissing, LogSink, TaskStore

# How long a finished container's follower may take to copy its last lines.
DRAIN_LOGS_SECONDS = 2.0


def log_target(
    definition: dict[str, Any], task_id: str, task_region: str
) -> tuple[str, str, str, bool] | None:
    """(region, group, stream, create group) for an awslogs container, else None.
    Stream `<prefix>/<container>/<task id>` as on Fargate; the region is the
    `awslogs-region` option, as the awslogs driver sends there."""
    config = definition.get("logConfiguration") or {}
    if config.get("logDriver") != "awslogs":
        return None
    options = config.get("options") or {}
    group = options.get("awslogs-group")
    if not group:
        return None
    prefix = options.get("awslogs-stream-prefix")
    stream = f"{prefix}/{definition['name']}/{task_id}" if prefix else task_id
    create = str(options.get("awslogs-create-group", "false")).lower() == "true"
    return options.get("awslogs-region") or task_region, group, stream, create


async def check_streams(access: TaskStore, doc: dict[str, Any], rt: dict[str, Any]) -> str | None:
    """Create every awslogs stream of the task; None, or the stoppedReason when a log
    group is missing (the text the awslogs driver gives on Fargate)."""
    task_id = doc["taskArn"].rsplit("/", 1)[1]
    region = doc["taskArn"].split(":")[3]
    for d in rt["containers"]:
        target = log_target(d, task_id, region)
        if target is None:
            continue
        try:
            await access.ensure_stream(*target)
        except LogGroupMissing as exc:
            return (
                "ResourceInitializationError: failed to validate logger "
                f"args: create stream has been retried 1 times: failed to "
                f"create Cloudwatch log stream: {exc} : exit status 1"
            )
    return None


class LogFollowers:
    """One follower per awslogs container, resuming after the newest stored line."""

    def __init__(self, runtime: Runtime, access: TaskStore, sink: LogSink, clock: Clock) -> None:
        self.runtime = runtime
        self.access = access
        self.sink = sink
        self.clock = clock
        self._followers: dict[str, asyncio.Task[None]] = {}

    def follow(
        self, doc: dict[str, Any], rt: dict[str, Any], states: dict[str, ContainerState]
    ) -> None:
        task_id = doc["taskArn"].rsplit("/", 1)[1]
        region = doc["taskArn"].split(":")[3]
        for d in rt["containers"]:
            state = states.get(d["name"])
            target = log_target(d, task_id, region)
            if state is None or target is None:
                continue
            current = self._followers.get(state.id)
            if current is not None and not current.done():
                continue
            if current is not None and not state.running:
                continue  # followed to its end already
            self._followers[state.id] = asyncio.create_task(
                self._follow(state.id, *target), name=f"logs {state.name}"
            )

    async def _follow(self, cid: str, region: str, group: str, stream: str, create: bool) -> None:
        since = await self.access.last_log_timestamp(region, group, stream)
        # Resuming after a restart: only what came after the newest stored line.
        async for ts_ms, _source, line in self.runtime.logs(
            cid, since_ms=since + 1 if since else 0
        ):
            await self.sink.write(region, group, stream, ts_ms, line, create_group=create)

    async def finish(self, container_id: str) -> None:
        """Before a container is removed: let its follower copy the last lines."""
        follower = self._followers.pop(container_id, None)
        if follower is None:
            return
        done = asyncio.Event()
        follower.add_done_callback(lambda _t: done.set())
        if not follower.done():
            await self.clock.wait(done, DRAIN_LOGS_SECONDS)
        follower.cancel()

    async def flush(self) -> None:
        await self.sink.flush()

    async def stop(self) -> None:
        for f in self._followers.values():
            f.cancel()
        await asyncio.gather(*self._followers.values(), return_exceptions=True)
        self._followers.clear()

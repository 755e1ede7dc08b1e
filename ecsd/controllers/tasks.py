"""The task controller: makes containers match each task's desired status.

One worker per unfinished task walks it through ECS's lifecycle, one store write per
status, so DescribeTasks always shows where the task really is:

  PROVISIONING  create the sandbox (the network namespace, with every port published)
  PENDING       check log groups, pull images            → CannotPullContainerError
  ACTIVATING    resolve secrets, create and start containers in dependsOn order
  RUNNING       follow container exits and health          → EssentialContainerExited
  DEACTIVATING → STOPPING (SIGTERM, SIGKILL after stopTimeout, dependents first)
  DEPROVISIONING remove containers and sandbox → STOPPED

Every step is safe to repeat: containers have deterministic names and labels, so after a
crash the worker finds what it already made instead of making it again.
"""

from __future__ import annotations

import asyncio
import copy
import functools
import logging
import time
from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import Connection, select

from ..config import Settings
from ..core.bus import Event
from ..core.unit import Unit as Context
from ..model.ecs import tasks as task_api
from ..model.ecs.secrets import SecretResolutionError, resolve
from ..runtime.base import (
    ContainerState,
    ImagePullError,
    Runtime,
    RuntimeError_,
    RuntimeUnavailable,
    Sandbox,
)
from ..services.logs import ingest
from ..store import Store
from ..store.schema.ecs_tasks import tasks
from . import container_spec as specs
from . import task_state
from .loop import Workers, wait_poke

log = logging.getLogger(__name__)
T = TypeVar("T")

RESYNC_SECONDS = 5.0
# A running task is watched through Docker's events (a container dying or changing health
# pokes its worker at once); this is only the safety net for an event lost, so that
# hundreds of idle tasks cost next to nothing.
WATCH_SECONDS = 120.0
SWEEP_SECONDS = 60.0
LABEL_TASK = "com.amazonaws.ecs.task-arn"
LABEL_CONTAINER = "com.amazonaws.ecs.container-name"
LABEL_INSTANCE = "ecsd.instance"
SANDBOX = "~internal~ecs~pause"


class TaskGone(Exception):
    """The task's row disappeared (a reset, or the purge) while a step was under way."""


class TaskController:
    def __init__(
        self,
        store: Store,
        runtime: Runtime,
        settings: Settings,
        sink: ingest.LogSink,
        instance_id: str,
        notify: Callable[[list[Event]], None] | None = None,
    ) -> None:
        self.store = store
        # Task changes concern others too (a service's scheduler): told after each commit.
        self.notify = notify
        self.runtime = runtime
        self.settings = settings
        self.sink = sink
        self.instance_id = instance_id
        self.workers = Workers(self._work)
        self._wake = asyncio.Event()
        self._followers: dict[str, asyncio.Task[None]] = {}
        self._background: list[asyncio.Task[None]] = []

    # -- supervision ---------------------------------------------------------------
    async def start(self) -> None:
        self._background = [
            asyncio.create_task(self._supervise(), name="task supervisor"),
            asyncio.create_task(self._events(), name="docker events"),
        ]

    async def stop(self) -> None:
        for t in self._background:
            t.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        await self.workers.stop()
        for f in self._followers.values():
            f.cancel()
        await asyncio.gather(*self._followers.values(), return_exceptions=True)

    def wake(self, topics: set[str]) -> None:
        if "tasks" in topics:
            self._wake.set()
            self.workers.poke()

    async def _supervise(self) -> None:
        last_sweep = 0.0
        while True:
            try:
                arns = await self.store.read(
                    lambda c: [
                        r.arn
                        for r in c.execute(
                            select(tasks.c.arn).where(tasks.c.last_status != "STOPPED")
                        )
                    ]
                )
                for arn in arns:
                    self.workers.ensure(arn)
                if time.monotonic() - last_sweep > SWEEP_SECONDS:
                    await self._sweep(set(arns))
                    await self._purge()
                    last_sweep = time.monotonic()
            except Exception:
                log.exception("task supervisor pass failed")
            await wait_poke(self._wake, RESYNC_SECONDS)

    async def _events(self) -> None:
        """Docker events only wake the worker of the task they concern."""
        while True:
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
            await asyncio.sleep(1.0)

    async def _sweep(self, active: set[str]) -> None:
        """Remove containers of ours that belong to no unfinished task (a crash between
        creating a container and recording it, or during removal)."""
        try:
            found = await self.runtime.list({LABEL_INSTANCE: self.instance_id})
        except RuntimeError_:
            return
        for state in found:
            if state.labels.get(LABEL_TASK) not in active:
                log.info("removing leftover container %s", state.name)
                await self.runtime.remove(state.id)

    async def _purge(self) -> None:
        cutoff = time.time() - self.settings.stopped_task_retention

        def purge(conn: Connection) -> None:
            unit = Context(
                conn=conn,
                region=self.settings.region,
                account=self.settings.account_id,
                request_id="task-controller",
                settings=self.settings,
            )
            task_api.purge_stopped(unit, cutoff)

        await self.store.write(purge)

    # -- the store ------------------------------------------------------------------
    async def _load(self, arn: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        def read(conn: Connection) -> tuple[dict[str, Any], dict[str, Any]] | None:
            row = conn.execute(
                select(tasks.c.doc, tasks.c.runtime).where(tasks.c.arn == arn)
            ).first()
            return (copy.deepcopy(row.doc), copy.deepcopy(row.runtime)) if row else None

        return await self.store.read(read)

    async def _update(
        self, arn: str, mutate: Callable[[Context, dict[str, Any], dict[str, Any]], T]
    ) -> T:
        """Apply `mutate` to the task as it is now in the store (the API may have changed
        it meanwhile) and save it, in one transaction."""

        def write(conn: Connection) -> T:
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
            )
            doc, rt = copy.deepcopy(row.doc), copy.deepcopy(row.runtime)
            result = mutate(ctx, doc, rt)
            task_api.save(ctx, doc, runtime=rt)
            changed[:] = ctx.changed
            return result

        changed: list[Event] = []
        result = await self.store.write(write)
        if self.notify is not None:
            self.notify(changed)  # the composition root keeps them from waking this controller
        return result

    async def _fail(
        self, arn: str, reason: str, container_reasons: dict[str, str] | None = None
    ) -> None:
        def mutate(ctx: Context, doc: dict[str, Any], _rt: dict[str, Any]) -> None:
            for c in doc["containers"]:
                if container_reasons and c["name"] in container_reasons:
                    c["reason"] = container_reasons[c["name"]]
            task_api.request_stop(
                ctx, doc, stop_code="TaskFailedToStart", reason=reason, persist=False
            )

        await self._update(arn, mutate)

    # -- one task -------------------------------------------------------------------
    async def _work(self, arn: str, poke: asyncio.Event) -> None:
        while True:
            loaded = await self._load(arn)
            if loaded is None:
                return
            doc, rt = loaded
            status = doc["lastStatus"]
            if status == "STOPPED":
                return
            try:
                if doc["desiredStatus"] == "STOPPED":
                    await self._stop(arn, doc, rt)
                elif status == "PROVISIONING":
                    await self._provision(arn, doc, rt)
                elif status == "PENDING":
                    await self._prepare(arn, doc, rt)
                elif status == "ACTIVATING":
                    await self._activate(arn, doc, rt, poke)
                else:
                    await self._watch(arn, doc, rt, poke)
            except TaskGone:
                return  # purged or wiped by a reset while this step ran
            except RuntimeUnavailable as exc:
                if status in ("PROVISIONING", "PENDING", "ACTIVATING"):
                    await self._fail(arn, f"ResourceInitializationError: {exc}")
                else:  # a running task outlives an engine restart; look again later
                    await wait_poke(poke, WATCH_SECONDS)

    def _labels(self, doc: dict[str, Any], rt: dict[str, Any], container: str) -> dict[str, str]:
        return {
            LABEL_INSTANCE: self.instance_id,
            LABEL_TASK: doc["taskArn"],
            LABEL_CONTAINER: container,
            "com.amazonaws.ecs.cluster": doc["clusterArn"].rsplit("/", 1)[1],
            "com.amazonaws.ecs.task-definition-family": rt["family"],
            "com.amazonaws.ecs.task-definition-version": str(rt["revision"]),
        }

    async def _provision(self, arn: str, doc: dict[str, Any], rt: dict[str, Any]) -> None:
        """The task's network namespace. A task of one container needs no holder: that
        container owns its namespace and publishes its own ports (as `docker run -p`
        does), which halves the work of the common case; it is made in ACTIVATING."""
        sandbox = None
        if len(rt["containers"]) > 1:
            task_id = arn.rsplit("/", 1)[1]
            sandbox = await self.runtime.create_sandbox(
                name=specs.docker_name(rt["family"], rt["revision"], "internalecspause", task_id),
                labels=self._labels(doc, rt, SANDBOX),
                ports=_ports(rt),
                bind_host=self.settings.bind_host,
            )

        def mutate(ctx: Context, doc: dict[str, Any], rt: dict[str, Any]) -> None:
            if sandbox is not None:
                rt["sandbox"] = sandbox.id
                _attach(doc, rt, sandbox)
            doc["lastStatus"] = "PENDING"

        await self._update(arn, mutate)

    async def _prepare(self, arn: str, doc: dict[str, Any], rt: dict[str, Any]) -> None:
        task_id = arn.rsplit("/", 1)[1]
        region = doc["taskArn"].split(":")[3]
        for d in rt["containers"]:
            target = specs.log_target(d, task_id, region)
            if target is None:
                continue
            log_region, group, stream, create = target
            try:
                await self.store.write(
                    functools.partial(
                        ingest.append,
                        region=log_region,
                        account=self.settings.account_id,
                        group=group,
                        stream=stream,
                        events=[],
                        create_group=create,
                    )
                )
            except ingest.LogGroupMissing as exc:
                await self._fail(
                    arn,
                    "ResourceInitializationError: failed to validate logger "
                    f"args: create stream has been retried 1 times: failed to "
                    f"create Cloudwatch log stream: {exc} : exit status 1",
                )
                return
        pull_started = time.time()
        images = sorted({d["image"] for d in rt["containers"]})
        results = await asyncio.gather(
            *(self.runtime.ensure_image(i) for i in images), return_exceptions=True
        )
        for image, result in zip(images, results, strict=True):
            if isinstance(result, ImagePullError):
                await self._fail(
                    arn,
                    f"CannotPullContainerError: {result}",
                    {
                        d["name"]: f"CannotPullContainerError: {result}"
                        for d in rt["containers"]
                        if d["image"] == image
                    },
                )
                return
            if isinstance(result, BaseException):
                raise result
        digests = dict(zip(images, results, strict=True))
        pull_stopped = time.time()

        def mutate(ctx: Context, doc: dict[str, Any], rt: dict[str, Any]) -> None:
            doc.update(
                lastStatus="ACTIVATING", pullStartedAt=pull_started, pullStoppedAt=pull_stopped
            )
            for c in doc["containers"]:
                digest = getattr(digests.get(c["image"]), "digest", None)
                if digest:
                    c["imageDigest"] = digest

        await self._update(arn, mutate)

    async def _secrets(self, doc: dict[str, Any], rt: dict[str, Any]) -> dict[str, dict[str, str]]:
        """Secret values are resolved at start and handed to Docker; never stored."""
        region = doc["taskArn"].split(":")[3]

        def read(conn: Connection) -> dict[str, dict[str, str]]:
            unit = Context(
                conn=conn,
                region=region,
                account=self.settings.account_id,
                request_id="task-controller",
                settings=self.settings,
            )
            return {
                d["name"]: {
                    s["name"]: resolve(unit, s["valueFrom"]) for s in d.get("secrets") or []
                }
                for d in rt["containers"]
            }

        return await self.store.read(read)

    async def _states(self, arn: str) -> dict[str, ContainerState]:
        found = await self.runtime.list({LABEL_TASK: arn, LABEL_INSTANCE: self.instance_id})
        return {s.labels.get(LABEL_CONTAINER, ""): s for s in found}

    async def _activate(
        self, arn: str, doc: dict[str, Any], rt: dict[str, Any], poke: asyncio.Event
    ) -> None:
        task_id = arn.rsplit("/", 1)[1]
        region = doc["taskArn"].split(":")[3]
        secrets: dict[str, dict[str, str]] = {d["name"]: {} for d in rt["containers"]}
        if any(d.get("secrets") for d in rt["containers"]):
            try:
                secrets = await self._secrets(doc, rt)
            except SecretResolutionError as exc:
                await self._fail(arn, f"ResourceInitializationError: {exc}")
                return
        volume_names = await self._volumes(task_id, rt)
        definitions = {d["name"]: d for d in rt["containers"]}
        began = time.monotonic()
        while True:
            states = await self._states(arn)
            ids = {n: s.id for n, s in states.items()}
            waiting = []
            for name, d in definitions.items():
                state = states.get(name)
                if state is not None and state.started_at:
                    continue  # started already (perhaps before a crash): never twice
                blocked = task_state.unmet(d, states)
                if blocked is None:
                    spec = specs.container_spec(
                        d,
                        task=doc,
                        runtime=rt,
                        task_id=task_id,
                        labels=self._labels(doc, rt, name),
                        sandbox_id=rt.get("sandbox"),
                        secrets=secrets[name],
                        region=region,
                        volume_names=volume_names,
                        container_ids=ids,
                    )
                    if not rt.get("sandbox"):  # the only container owns the namespace
                        spec.ports, spec.bind_host = _ports(rt), self.settings.bind_host
                    try:
                        cid = state.id if state else await self.runtime.create_container(spec)
                        await self.runtime.start(cid)
                    except RuntimeError_ as exc:
                        await self._fail(
                            arn,
                            f"CannotStartContainerError: {exc}",
                            {name: f"CannotStartContainerError: {exc}"},
                        )
                        return
                    continue
                if blocked.startswith("!"):
                    await self._fail(arn, blocked[1:])
                    return
                timeout = d.get("startTimeout")
                if timeout and time.monotonic() - began > timeout:
                    await self._fail(
                        arn,
                        f"Task failed to start: container {name} timed out "
                        f"after {timeout} s waiting for its dependency: {blocked}.",
                    )
                    return
                waiting.append(name)
            if not waiting:
                break
            await wait_poke(poke, 1.0)
        states = await self._states(arn)
        owner = None
        if not rt.get("sandbox"):
            only = states[rt["containers"][0]["name"]]
            owner = await self.runtime.network(only.id) if only.running else None

        def mutate(ctx: Context, doc: dict[str, Any], rt: dict[str, Any]) -> None:
            now = time.time()
            if owner is not None:
                _attach(doc, rt, owner)
            doc.update(
                lastStatus="RUNNING", startedAt=now, connectivity="CONNECTED", connectivityAt=now
            )
            task_state.observe(doc, rt, states)

        await self._update(arn, mutate)
        self._follow_logs(doc, rt, states)

    async def _volumes(self, task_id: str, rt: dict[str, Any]) -> dict[str, str]:
        """Docker volumes: task-scoped ones named after the task, so that they go with it.
        Never a host path: tasks run the Fargate way, and Fargate has no host volumes
        (registration and RunTask refuse them; this holds for rows stored before)."""
        names = {}
        for v in rt.get("volumes") or []:
            if (v.get("dockerVolumeConfiguration") or {}).get("scope") == "shared":
                names[v["name"]] = v["name"]
            else:
                names[v["name"]] = f"ecsd-{task_id}-{v['name']}"
        return names

    async def _watch(
        self, arn: str, doc: dict[str, Any], rt: dict[str, Any], poke: asyncio.Event
    ) -> None:
        states = await self._states(arn)
        before = copy.deepcopy(doc["containers"]), doc.get("healthStatus")
        probe = copy.deepcopy(doc)
        task_state.observe(probe, rt, states)
        essential_down = [
            d["name"]
            for d in rt["containers"]
            if d.get("essential", True)
            and task_state.container(probe, d["name"])["lastStatus"] == "STOPPED"
        ]
        if (probe["containers"], probe.get("healthStatus")) != before or essential_down:

            def mutate(ctx: Context, doc: dict[str, Any], rt: dict[str, Any]) -> None:
                task_state.observe(doc, rt, states)
                if essential_down:
                    task_api.request_stop(
                        ctx,
                        doc,
                        stop_code="EssentialContainerExited",
                        reason="Essential container in task exited",
                        persist=False,
                    )

            await self._update(arn, mutate)
            if essential_down:
                return
        self._follow_logs(doc, rt, states)
        await wait_poke(poke, WATCH_SECONDS)

    async def _stop(self, arn: str, doc: dict[str, Any], rt: dict[str, Any]) -> None:
        status = doc["lastStatus"]
        if status == "RUNNING":
            await self._set_status(arn, "DEACTIVATING")
            status = "DEACTIVATING"
        if status in ("PROVISIONING", "PENDING", "ACTIVATING", "DEACTIVATING"):
            await self._set_status(arn, "STOPPING")
            status = "STOPPING"
        if status == "STOPPING":
            states = await self._states_if_reachable(arn)
            timeouts = {
                d["name"]: int(d.get("stopTimeout") or specs.FARGATE_STOP_TIMEOUT)
                for d in rt["containers"]
            }
            for level in reversed(specs.start_order(rt["containers"])):
                running = [n for n in level if n in states and states[n].running]
                await asyncio.gather(
                    *(self.runtime.stop(states[n].id, timeouts[n]) for n in running)
                )
            if states:
                states = await self._settled(arn)

            def stopped(ctx: Context, doc: dict[str, Any], rt: dict[str, Any]) -> None:
                task_state.observe(doc, rt, states, final=True)
                doc.update(lastStatus="DEPROVISIONING", executionStoppedAt=time.time())

            await self._update(arn, stopped)
            status = "DEPROVISIONING"
        if status == "DEPROVISIONING":
            task_id = arn.rsplit("/", 1)[1]
            for state in (await self._states_if_reachable(arn)).values():
                follower = self._followers.pop(state.id, None)
                if follower:
                    await asyncio.wait([follower], timeout=2.0)
                    follower.cancel()
                await self.runtime.remove(state.id)
            await self.sink.flush()
            try:
                await self.runtime.remove_volumes(
                    [
                        n
                        for n in (await self._volumes(task_id, rt)).values()
                        if n.startswith(f"ecsd-{task_id}-")
                    ]
                )
            except RuntimeUnavailable:
                pass

            def done(ctx: Context, doc: dict[str, Any], rt: dict[str, Any]) -> None:
                now = time.time()
                doc.update(lastStatus="STOPPED", stoppedAt=now, connectivity="DISCONNECTED")
                doc.setdefault("executionStoppedAt", now)
                for att in doc["attachments"]:
                    att["status"] = "DELETED"
                for c in doc["containers"]:
                    c["lastStatus"] = "STOPPED"

            await self._update(arn, done)

    async def _settled(self, arn: str) -> dict[str, ContainerState]:
        """Final container states. Docker learns of an OOM kill from an event of its own
        that can land just after the exit, so a 137 without the flag gets a moment for
        it to appear before the reason is written for good."""
        deadline = time.monotonic() + 1.0
        while True:
            states = await self._states_if_reachable(arn)
            unsure = [
                s
                for s in states.values()
                if s.exit_code == 137 and not s.oom_killed and not s.running
            ]
            if not unsure or time.monotonic() > deadline:
                return states
            await asyncio.sleep(0.1)

    async def _states_if_reachable(self, arn: str) -> dict[str, ContainerState]:
        """The task's containers, or none when no engine answers: a stop then completes
        in the store, and the sweep removes what is left once the engine is back."""
        try:
            return await self._states(arn)
        except RuntimeUnavailable:
            return {}

    async def _set_status(self, arn: str, status: str) -> None:
        def mutate(ctx: Context, doc: dict[str, Any], rt: dict[str, Any]) -> None:
            doc["lastStatus"] = status

        await self._update(arn, mutate)

    # -- logs -------------------------------------------------------------------------
    def _follow_logs(
        self, doc: dict[str, Any], rt: dict[str, Any], states: dict[str, ContainerState]
    ) -> None:
        task_id = doc["taskArn"].rsplit("/", 1)[1]
        region = doc["taskArn"].split(":")[3]
        for d in rt["containers"]:
            state = states.get(d["name"])
            target = specs.log_target(d, task_id, region)
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
        since = await self.store.read(
            lambda c: ingest.last_timestamp(c, region=region, group=group, stream=stream)
        )
        # Resuming after a restart: only what came after the newest stored line.
        async for ts_ms, _source, line in self.runtime.logs(
            cid, since_ms=since + 1 if since else 0
        ):
            await self.sink.write(region, group, stream, ts_ms, line, create_group=create)


def _ports(rt: dict[str, Any]) -> list[tuple[int, str]]:
    return [
        (int(pm["containerPort"]), pm.get("protocol", "tcp"))
        for d in rt["containers"]
        for pm in d.get("portMappings") or []
        if pm.get("containerPort")
    ]


def _attach(doc: dict[str, Any], rt: dict[str, Any], owner: Sandbox) -> None:
    """Record the namespace owner's address as the task's ENI, and each container's
    published ports as its networkBindings (where the user connects)."""
    rt["ip"] = owner.ip
    task_id = doc["taskArn"].rsplit("/", 1)[1]
    bindings = [
        {
            "bindIP": b.host_ip,
            "containerPort": b.container_port,
            "hostPort": b.host_port,
            "protocol": b.protocol,
        }
        for b in owner.bindings
    ]
    for att in doc["attachments"]:
        att["status"] = "ATTACHED"
        att["details"] = [d for d in att["details"] if d["name"] == "subnetId"] + [
            {"name": "networkInterfaceId", "value": f"eni-{task_id[:17]}"},
            {"name": "macAddress", "value": owner.mac or ""},
            {"name": "privateDnsName", "value": f"ip-{owner.ip.replace('.', '-')}.ec2.internal"},
            {"name": "privateIPv4Address", "value": owner.ip},
        ]
    for c, d in zip(doc["containers"], rt["containers"], strict=True):
        own = {int(pm["containerPort"]) for pm in d.get("portMappings") or []}
        c["networkBindings"] = [b for b in bindings if b["containerPort"] in own]
        if doc["attachments"]:
            c["networkInterfaces"] = [
                {"attachmentId": doc["attachments"][0]["id"], "privateIpv4Address": owner.ip}
            ]

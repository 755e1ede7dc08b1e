"""The steps of one task's life, each taken by its worker and each safe to repeat:

  PROVISIONING  create the sandbox (the network namespace, with every port published)
  PENDING       pull images, then make log streams        → CannotPullContainerError
  ACTIVATING    resolve secrets, create and start containers in dependsOn order
  RUNNING       follow container exits and health          → EssentialContainerExited
  DEACTIVATING  wait until the drain hook says done (load balancers), bounded
  STOPPING      SIGTERM, SIGKILL after stopTimeout, dependents first
  DEPROVISIONING remove containers, sandbox, task volumes  → STOPPED

One store write per status, each through `lifecycle.advance`, so DescribeTasks always
shows where the task really is. Containers have deterministic names and labels, so after
a crash a step finds what it already made instead of making it again.
"""

from __future__ import annotations

import asyncio
import copy
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from ...config import Settings
from ...core.clock import Clock
from ...model.ecs import lifecycle
from ...model.ecs.lifecycle import TaskStatus as S
from ...runtime.base import (
    ContainerState,
    ImageInfo,
    ImagePullError,
    Runtime,
    RuntimeError_,
    RuntimeUnavailable,
)
from .. import container_spec as specs
from .. import task_state
from . import awslogs, network, registry, restarts
from . import images as images_
from .inside import Inside, NothingInside
from .labels import LABEL_CONTAINER, LABEL_INSTANCE, LABEL_TASK, SANDBOX, labels
from .store_access import Doc, Loaded, SecretError, TaskStore

# A running task is watched through the engine's events (a container dying or changing
# health pokes its worker at once); this is only the safety net for an event lost, so
# that hundreds of idle tasks cost next to nothing.
WATCH_SECONDS = 120.0
# How often a starting task looks again at dependencies that have no event to wait on.
DEPENDS_POLL_SECONDS = 1.0
# DEACTIVATING lasts until the drain hook says done, at most this long (an ELB target
# group's default deregistration delay).
DRAIN_TIMEOUT_SECONDS = 300.0
DRAIN_POLL_SECONDS = 1.0
# Docker learns of an OOM kill from an event of its own that can land just after the
# exit: how long a 137 without the flag may wait for it.
OOM_SETTLE_SECONDS = 1.0

# A pull still running after this long says so at INFO, and again every as long after.
PULL_PROGRESS_SECONDS = 10.0

# The terminal of `ecsd serve` reads like the service's events tab: a line per task state
# change worth knowing and per image pull (INFO, `--log-level`).
log = logging.getLogger("ecsd.tasks")
_ANNOUNCED = {S.PENDING, S.RUNNING, S.STOPPED}

# Whether a DEACTIVATING task may be stopped: True once nothing routes to it any more.
Drain = Callable[[Doc], Awaitable[bool]]


async def nothing_to_drain(_doc: Doc) -> bool:
    return True


# Called inside every status write, in its transaction, after the move: (unit, task
# document, runtime record, new status). The load-balancing side registers a service task's
# targets on RUNNING and deregisters them on DEACTIVATING here, so that the move and the
# registration are one write (a crash keeps both or neither).
OnStatus = Callable[[Any, Doc, Doc, S], None]


def no_status_hook(_unit: Any, _doc: Doc, _rt: Doc, _to: S) -> None:
    return None


class Steps:
    def __init__(
        self,
        access: TaskStore,
        runtime: Runtime,
        settings: Settings,
        clock: Clock,
        instance_id: str,
        logs: awslogs.LogFollowers,
        drain: Drain = nothing_to_drain,
        on_status: OnStatus = no_status_hook,
        inside: Inside | None = None,
    ) -> None:
        self.access = access
        self.runtime = runtime
        self.settings = settings
        self.clock = clock
        self.instance_id = instance_id
        self.logs = logs
        self.drain = drain
        self.on_status = on_status
        self.inside: Inside = inside or NothingInside()

    # -- shared ---------------------------------------------------------------------
    async def fail(
        self,
        arn: str,
        reason: str,
        container_reasons: dict[str, str] | None = None,
        fields: Doc | None = None,
    ) -> None:
        """The task failed to start: desiredStatus STOPPED with `reason` (and `fields`
        set on the task, such as the pull times of a failed pull)."""

        def mutate(ctx: Any, doc: Doc, _rt: Doc) -> None:
            doc.update(fields or {})
            for c in doc["containers"]:
                if container_reasons and c["name"] in container_reasons:
                    c["reason"] = container_reasons[c["name"]]
            self.access.request_stop(ctx, doc, stop_code="TaskFailedToStart", reason=reason)

        await self.access.update(arn, mutate)

    async def advance(
        self, arn: str, to: S, also: Callable[[Doc, Doc], None] | None = None
    ) -> Loaded:
        """One status write: the move (checked against the lifecycle) and what goes with
        it. Returns the task as written, so the next step need not read it again."""

        def mutate(ctx: Any, doc: Doc, rt: Doc) -> Loaded:
            lifecycle.advance(doc, to)
            if also is not None:
                also(doc, rt)
            self.on_status(ctx, doc, rt, to)
            return doc, rt

        written = await self.access.update(arn, mutate)
        if to in _ANNOUNCED:
            announce(written[0], to)
        return written

    async def states(self, arn: str) -> dict[str, ContainerState]:
        found = await self.runtime.list({LABEL_TASK: arn, LABEL_INSTANCE: self.instance_id})
        return {s.labels.get(LABEL_CONTAINER, ""): s for s in found}

    async def states_if_reachable(self, arn: str) -> dict[str, ContainerState]:
        """The task's containers, or none when no engine answers: a stop then completes
        in the store, and the sweep removes what is left once the engine is back."""
        try:
            return await self.states(arn)
        except RuntimeUnavailable:
            return {}

    # -- PROVISIONING -----------------------------------------------------------------
    async def provision(self, arn: str, doc: Doc, rt: Doc) -> Loaded:
        """The task's network namespace. A task of one container needs no holder: that
        container owns its namespace and publishes its own ports (as `docker run -p`
        does), which halves the work of the common case; it is made in ACTIVATING."""
        sandbox = None
        if len(rt["containers"]) > 1 or self.inside.needs_namespace(rt):
            task_id = arn.rsplit("/", 1)[1]
            sandbox = await self.runtime.create_sandbox(
                name=specs.docker_name(rt["family"], rt["revision"], "internalecspause", task_id),
                labels=labels(self.instance_id, doc, rt, SANDBOX),
                ports=network.ports(rt),
                bind_host=self.settings.bind_host,
            )

        def also(doc: Doc, rt: Doc) -> None:
            if sandbox is not None:
                rt["sandbox"] = sandbox.id
                network.attach(doc, rt, sandbox)

        return await self.advance(arn, S.PENDING, also)

    # -- PENDING ----------------------------------------------------------------------
    async def prepare(self, arn: str, doc: Doc, rt: Doc) -> Loaded | None:
        """None when the task failed to start (its worker reads it again). Images are
        pulled before any log stream is made: a task whose pull fails has no log
        stream, as on AWS (the awslogs driver makes it when the container starts)."""
        pull_started = self.clock.time()
        pins = await self._sibling_pins(doc)
        wanted = {d["name"]: (pins or {}).get(d["name"]) or d["image"] for d in rt["containers"]}
        images = sorted(set(wanted.values()))
        # The terminal names an image as the task definition does, with the pin a
        # deployment resolved it to (a bare image ID tells a reader nothing).
        shown = {
            wanted[d["name"]]: f"{d['image']} ({wanted[d['name']]})"
            for d in rt["containers"]
            if wanted[d["name"]] != d["image"]
        }
        results = await self._pull(arn, images, shown)
        for image, result in zip(images, results, strict=True):
            if isinstance(result, ImagePullError):
                await self.fail(
                    arn,
                    f"CannotPullContainerError: {result}",
                    {
                        d["name"]: f"CannotPullContainerError: {result}"
                        for d in rt["containers"]
                        if wanted[d["name"]] == image
                    },
                    {"pullStartedAt": pull_started, "pullStoppedAt": self.clock.time()},
                )
                return None
            if isinstance(result, BaseException):
                raise result
        infos = {i: r for i, r in zip(images, results, strict=True) if isinstance(r, ImageInfo)}
        pull_stopped = self.clock.time()
        made = {name: images_.pin(infos[ref]) for name, ref in wanted.items()}
        failed = await awslogs.check_streams(self.access, doc, rt)
        if failed is not None:
            await self.fail(arn, failed)
            return None

        def also(doc: Doc, rt: Doc) -> None:
            doc.update(pullStartedAt=pull_started, pullStoppedAt=pull_stopped)
            for c in doc["containers"]:
                c["imageDigest"] = images_.digest(infos[wanted[c["name"]]])
            # A service task runs what its deployment pinned, or pins it (the first
            # task of a deployment); a task run alone just runs its tags.
            if (doc.get("startedBy") or "").startswith("ecs-svc/"):
                rt["imagePins"] = {
                    d["name"]: made[d["name"]]
                    for d in rt["containers"]
                    if d.get("versionConsistency", "enabled") == "enabled"
                }

        return await self.advance(arn, S.ACTIVATING, also)

    async def _sibling_pins(self, doc: Doc) -> dict[str, str] | None:
        started_by = doc.get("startedBy") or ""
        if not started_by.startswith("ecs-svc/"):
            return None  # not a service deployment's task: nothing to be consistent with
        return await self.access.deployment_pins(started_by, doc["clusterArn"])

    async def _pull(self, arn: str, images: list[str], shown: dict[str, str]) -> list[Any]:
        """Every image of the task (results or exceptions, in order), said at INFO (each
        as `shown` names it, else as it is): the start, every PULL_PROGRESS_SECONDS of a
        long pull, and the end."""
        task_id = arn.rsplit("/", 1)[1]
        began = self.clock.monotonic()
        log.info("task %s: pulling %s", task_id, ", ".join(shown.get(i, i) for i in images))
        pulls = asyncio.gather(
            *(
                self.runtime.ensure_image(
                    i, **registry.pull_args(self.settings, i, self.clock.time())
                )
                for i in images
            ),
            return_exceptions=True,
        )
        done = asyncio.Event()
        pulls.add_done_callback(lambda _f: done.set())
        try:
            while not pulls.done():
                await self.clock.wait(done, PULL_PROGRESS_SECONDS)
                if not pulls.done():
                    waited = self.clock.monotonic() - began
                    log.info("task %s: still pulling (%.0f s)", task_id, waited)
        finally:
            if not pulls.done():  # the worker was cancelled: so are its pulls
                pulls.cancel()
        results = list(await pulls)
        took = self.clock.monotonic() - began
        for image, result in zip(images, results, strict=True):
            if isinstance(result, BaseException):
                log.info("task %s: pull of %s failed: %s", task_id, shown.get(image, image), result)
            else:
                log.info("task %s: pulled %s in %.1f s", task_id, shown.get(image, image), took)
        return results

    # -- ACTIVATING -------------------------------------------------------------------
    async def activate(
        self, arn: str, doc: Doc, rt: Doc, poke: asyncio.Event, *, fresh: bool = False
    ) -> None:
        """`fresh`: this worker itself just moved the task here, so none of its
        containers can exist yet and the first look at the engine is skipped (after a
        crash the worker starts afresh and looks: nothing is ever started twice)."""
        task_id = arn.rsplit("/", 1)[1]
        region = doc["taskArn"].split(":")[3]
        secrets: dict[str, dict[str, str]] = {d["name"]: {} for d in rt["containers"]}
        if any(d.get("secrets") for d in rt["containers"]):
            try:
                secrets = await self.access.secrets(doc, rt)
            except SecretError as exc:
                await self.fail(arn, f"ResourceInitializationError: {exc}")
                return
        volume_names = task_volumes(task_id, rt)
        await self.inside.enter(doc, rt)
        definitions = {d["name"]: d for d in rt["containers"]}
        began = self.clock.monotonic()
        made: dict[str, str] = {}  # container name → id, of those created or found
        while True:
            states = {} if fresh else await self.states(arn)
            fresh = False
            ids = {n: s.id for n, s in states.items()}
            made.update(ids)
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
                        labels=labels(self.instance_id, doc, rt, name),
                        sandbox_id=rt.get("sandbox"),
                        secrets=secrets[name],
                        inside=self.inside.environment(doc, rt, name),
                        region=region,
                        volume_names=volume_names,
                        container_ids=ids,
                    )
                    spec.image = (rt.get("imagePins") or {}).get(name) or spec.image
                    if not rt.get("sandbox"):  # the only container owns the namespace
                        spec.ports, spec.bind_host = network.ports(rt), self.settings.bind_host
                    try:
                        cid = state.id if state else await self.runtime.create_container(spec)
                        made[name] = cid
                        await self.runtime.start(cid)
                    except RuntimeUnavailable:
                        raise
                    except RuntimeError_ as exc:
                        await self.fail(
                            arn,
                            f"CannotStartContainerError: {exc}",
                            {name: f"CannotStartContainerError: {exc}"},
                        )
                        return
                    continue
                if blocked.startswith("!"):
                    await self.fail(arn, blocked[1:])
                    return
                timeout = d.get("startTimeout")
                if timeout and self.clock.monotonic() - began > timeout:
                    await self.fail(
                        arn,
                        f"Task failed to start: container {name} timed out "
                        f"after {timeout} s waiting for its dependency: {blocked}.",
                    )
                    return
                waiting.append(name)
            if not waiting:
                break
            await self.clock.wait(poke, DEPENDS_POLL_SECONDS)
        states = await self._inspect(made) if len(made) == len(definitions) else {}
        if len(states) < len(definitions):
            states = await self.states(arn)
        owner = None
        if not rt.get("sandbox"):
            only = states[rt["containers"][0]["name"]]
            owner = await self.runtime.network(only.id) if only.running else None

        def also(doc: Doc, rt: Doc) -> None:
            now = self.clock.time()
            if owner is not None:
                network.attach(doc, rt, owner)
            doc.update(startedAt=now, connectivity="CONNECTED", connectivityAt=now)
            task_state.observe(doc, rt, states)

        await self.advance(arn, S.RUNNING, also)
        self.logs.follow(doc, rt, states)

    async def _inspect(self, ids: dict[str, str]) -> dict[str, ContainerState]:
        """States of containers whose ids are known: one request each, not the label
        search (the engine scans every container for that)."""
        found = await asyncio.gather(*(self.runtime.inspect(i) for i in ids.values()))
        return {n: s for n, s in zip(ids, found, strict=True) if s is not None}

    # -- RUNNING ----------------------------------------------------------------------
    async def watch(self, arn: str, doc: Doc, rt: Doc, poke: asyncio.Event) -> None:
        # By the ids the task recorded: one request per container, not the label search
        # (which the engine answers by scanning every container it has).
        await self.inside.enter(doc, rt)  # a resumed worker (after a restart) reopens it
        ids = {c["name"]: c["runtimeId"] for c in doc["containers"] if c.get("runtimeId")}
        states = await self._inspect(ids) if len(ids) == len(doc["containers"]) else {}
        if len(states) < len(doc["containers"]):
            states = await self.states(arn)
        states = await self._restart(arn, doc, rt, states)
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

            def mutate(ctx: Any, doc: Doc, rt: Doc) -> None:
                task_state.observe(doc, rt, states)
                if essential_down:
                    self.access.request_stop(
                        ctx,
                        doc,
                        stop_code="EssentialContainerExited",
                        reason="Essential container in task exited",
                    )

            await self.access.update(arn, mutate)
            if essential_down:
                return
        self.logs.follow(doc, rt, states)
        await self.clock.wait(poke, WATCH_SECONDS)

    async def _restart(
        self, arn: str, doc: Doc, rt: Doc, states: dict[str, ContainerState]
    ) -> dict[str, ContainerState]:
        """Restart in place the exited containers whose restart policy says so; the
        states afterwards (a restarted container is running again, not down)."""
        now = self.clock.time()
        again = [
            d["name"]
            for d in rt["containers"]
            if restarts.should_restart(
                d, states.get(d["name"]), now=now, desired=doc.get("desiredStatus", "")
            )
        ]
        if not again:
            return states
        started = []
        for name in again:
            try:
                await self.runtime.start(states[name].id)
                started.append(name)
            except RuntimeUnavailable:
                raise
            except RuntimeError_:
                pass  # it stays down: the task follows its essential rule

        def count(_ctx: Any, _doc: Doc, rt: Doc) -> dict[str, int]:
            done = restarts.counts(rt)
            for name in started:
                done[name] = done.get(name, 0) + 1
            rt["restartCounts"] = done
            return done

        rt["restartCounts"] = await self.access.update(arn, count)
        fresh = await self._inspect({n: states[n].id for n in started})
        return {**states, **fresh}

    # -- the way down -----------------------------------------------------------------
    async def stop(self, arn: str, doc: Doc, rt: Doc, poke: asyncio.Event) -> None:
        status = lifecycle.status(doc)
        if status == S.RUNNING:
            since = self.clock.time()
            await self.advance(arn, S.DEACTIVATING, lambda _d, rt: rt.update(deactivatingAt=since))
            rt["deactivatingAt"], status = since, S.DEACTIVATING
        if status == S.DEACTIVATING:
            await self._drain(doc, rt, poke)
        if status in lifecycle.STARTING or status == S.DEACTIVATING:
            await self.advance(arn, S.STOPPING)
            status = S.STOPPING
        if status == S.STOPPING:
            await self._stop_containers(arn, rt)
            status = S.DEPROVISIONING
        if status == S.DEPROVISIONING:
            await self._deprovision(arn, rt)

    async def _drain(self, doc: Doc, rt: Doc, poke: asyncio.Event) -> None:
        """Stay DEACTIVATING until the drain hook says nothing routes to the task any
        more, or the timeout (counted from the move, so a restart does not extend it)."""
        deadline = float(rt.get("deactivatingAt") or self.clock.time()) + DRAIN_TIMEOUT_SECONDS
        while not await self.drain(doc):
            left = deadline - self.clock.time()
            if left <= 0:
                return
            await self.clock.wait(poke, min(DRAIN_POLL_SECONDS, left))

    async def _stop_containers(self, arn: str, rt: Doc) -> None:
        """Dependents first: each dependsOn level gets SIGTERM together, and the next
        level only once this one has exited (SIGKILL after each container's stopTimeout)."""
        states = await self.states_if_reachable(arn)
        timeouts = {
            d["name"]: int(d.get("stopTimeout") or specs.FARGATE_STOP_TIMEOUT)
            for d in rt["containers"]
        }
        for level in reversed(specs.start_order(rt["containers"])):
            running = [n for n in level if n in states and states[n].running]
            await asyncio.gather(*(self.runtime.stop(states[n].id, timeouts[n]) for n in running))
        if states:
            states = await self._settled(arn)
        stopped_at = self.clock.time()

        def also(doc: Doc, rt: Doc) -> None:
            task_state.observe(doc, rt, states, final=True)
            doc["executionStoppedAt"] = stopped_at

        await self.advance(arn, S.DEPROVISIONING, also)

    async def _deprovision(self, arn: str, rt: Doc) -> None:
        task_id = arn.rsplit("/", 1)[1]
        for state in (await self.states_if_reachable(arn)).values():
            await self.logs.finish(state.id)
            await self.runtime.remove(state.id)
        await self.logs.flush()
        await self.inside.leave(arn)
        try:
            await self.runtime.remove_volumes(
                [n for n in task_volumes(task_id, rt).values() if n.startswith(f"ecsd-{task_id}-")]
            )
        except RuntimeUnavailable:
            pass
        now = self.clock.time()

        def also(doc: Doc, _rt: Doc) -> None:
            doc.update(stoppedAt=now, connectivity="DISCONNECTED")
            doc.setdefault("executionStoppedAt", now)
            for att in doc["attachments"]:
                att["status"] = "DELETED"
            for c in doc["containers"]:
                c["lastStatus"] = "STOPPED"

        await self.advance(arn, S.STOPPED, also)

    async def _settled(self, arn: str) -> dict[str, ContainerState]:
        """Final container states, with a moment for a late OOM flag on a 137."""
        deadline = self.clock.monotonic() + OOM_SETTLE_SECONDS
        while True:
            states = await self.states_if_reachable(arn)
            unsure = [
                s
                for s in states.values()
                if s.exit_code == 137 and not s.oom_killed and not s.running
            ]
            if not unsure or self.clock.monotonic() > deadline:
                return states
            await self.clock.sleep(0.1)


def announce(doc: Doc, status: S) -> None:
    """The INFO line of a task state change, in DescribeTasks' words."""
    task_id = doc["taskArn"].rsplit("/", 1)[1]
    group = doc.get("group") or ""
    if status == S.STOPPED:
        log.info(
            "task %s (%s): STOPPED, %s: %s",
            task_id,
            group,
            doc.get("stopCode") or "",
            doc.get("stoppedReason") or "",
        )
    else:
        log.info("task %s (%s): %s", task_id, group, status.value)


def task_volumes(task_id: str, rt: Doc) -> dict[str, str]:
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

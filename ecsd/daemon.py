"""The composition root: the one place that builds the daemon's parts and wires them.

It makes the store, the container runtime, the clock, the change bus, the unit-of-work
runner, the log sink, the controllers and the AWS gateway; keeps them as an ordered list
of components that start in order, stop in reverse, and are wiped for `/_ecsd/reset`;
and mounts each HTTP surface in its own place. Nothing else constructs these parts, so a
test (or a later box: the load balancer, the registry, the console) changes the daemon
in one place — a fake runtime and a fake clock are parameters here.

HTTP surfaces are mounted in this order, the first match winning (aiohttp resolves
routes in the order they were added):
  1. `/_ecsd/`   ecsd's own routes (health, reset)
  2. `/v2/`      the ECR registry (ecsd/registry/), which authenticates its own clients
  3. `/_console/` the web console's static files (ecsd/console/), and a browser's GET of
                 `/` asking for a page, sent there
  4. `/`         the AWS gateway, everything else (AWS clients post to `/`)
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from . import __version__, http_guard
from .aws.gateway import Gateway
from .aws.http_errors import aws_errors
from .config import Settings
from .console import surface as console
from .console.changes import Changes
from .controllers.acm_validation import AcmValidationController
from .controllers.alarms import AlarmController
from .controllers.ecr_lifecycle import EcrLifecycleController
from .controllers.load_balancing import LoadBalancingController, PlaneFactory, default_plane
from .controllers.scaling import ScalingController
from .controllers.services import ServiceController
from .controllers.task_metrics import TaskMetricsController
from .controllers.tasks import LABEL_INSTANCE, TaskController
from .core.bus import Bus
from .core.clock import Clock, SystemClock
from .core.unit import Units
from .model.acm import ca as acm_ca
from .model.iam import sessions
from .model.logs.ingest import LogSink
from .registry import Registry
from .runtime.base import Runtime, RuntimeUnavailable
from .runtime.docker import DockerRuntime
from .services import all_providers
from .store import Store
from .taskside.keys import KeyView, TaskKeys, load_key
from .taskside.listener import TaskSide

log = logging.getLogger(__name__)


async def _nothing() -> None:
    return None


@dataclass
class Component:
    """One part with a life: `start` in list order, `stop` in reverse, and `reset` (in
    reverse order) to wipe what it holds. An `active` component works on its own (a
    controller): a reset stops it first and starts it again last."""

    name: str
    start: Callable[[], Awaitable[None]] = _nothing
    stop: Callable[[], Awaitable[None]] = _nothing
    reset: Callable[[], Awaitable[None]] = _nothing
    active: bool = False


class Daemon:
    def __init__(
        self,
        settings: Settings,
        *,
        runtime: Runtime | None = None,
        clock: Clock | None = None,
        plane: PlaneFactory = default_plane,
    ) -> None:
        self.settings = settings
        providers = all_providers()  # imports every service's tables before the store opens
        settings.secure_data_dir()  # owner-only files, before SQLite makes any
        self.store = Store(settings.database)
        self.runtime: Runtime = runtime or DockerRuntime(settings.docker_host)
        self.clock: Clock = clock or SystemClock()
        self.bus = Bus()
        self.units = Units(
            self.store, settings=settings, clock=self.clock, publish=self.bus.publish
        )
        self.sink = LogSink(self.store, account=settings.account_id)
        self.gateway = Gateway(self.units.run, providers, settings)
        self.taskside = TaskSide(
            settings,
            self.runtime,
            self._load_task,
            self.clock,
            self.gateway.handle,
            TaskKeys(load_key(settings.data_dir)),
            remember=self._remember_session,
            issued=self._issued_secret,
        )
        # The load balancers: the task controller registers, deregisters and drains a
        # service's tasks through this controller's hooks.
        self.load_balancing = LoadBalancingController(self.units, settings, plane=plane)
        self.load_balancing.subscribe(self.bus)
        self.tasks = TaskController(
            self.store,
            self.runtime,
            settings,
            self.sink,
            settings.instance_id(),
            bus=self.bus,
            clock=self.clock,
            drain=self.load_balancing.drain,
            on_status=self.load_balancing.on_status,
            inside=self.taskside,
        )
        self.services = ServiceController(self.units, settings)
        self.services.subscribe(self.bus)
        self.ecr_lifecycle = EcrLifecycleController(self.units)
        self.ecr_lifecycle.subscribe(self.bus)
        self.acm_validation = AcmValidationController(self.units)
        self.acm_validation.subscribe(self.bus)
        self.task_metrics = TaskMetricsController(self.units, self.runtime, settings.metric_period)
        self.alarms = AlarmController(self.units, settings.metric_period)
        # Policies act again every metric period while their alarm stays in ALARM.
        self.scaling = ScalingController(self.units, repeat=settings.metric_period)
        self.scaling.subscribe(self.bus)
        self.registry = Registry(self.units, settings)
        self.registry.subscribe(self.bus)
        self.changes = Changes(self.bus)  # the console's live pages wait on it
        self.components = [
            Component("store", stop=self._close_store, reset=self.store.reset),
            Component(
                "runtime", start=self._ping, stop=self.runtime.close, reset=self._remove_ours
            ),
            Component("log sink", stop=self.sink.close, reset=self.sink.flush),
            Component(
                "task side",
                start=self.taskside.start,
                stop=self.taskside.stop,
                reset=self.taskside.reset,
            ),
            Component(
                "registry",
                start=self.registry.start,
                stop=self.registry.stop,
                reset=self.registry.reset,
            ),
            # Before the task controller: it serves (and drains) until the tasks stop.
            Component(
                "load balancers",
                start=self.load_balancing.start,
                stop=self.load_balancing.stop,
                active=True,
            ),
            Component("task controller", start=self.tasks.start, stop=self.tasks.stop, active=True),
            Component(
                "service controller",
                start=self.services.start,
                stop=self.services.stop,
                active=True,
            ),
            Component(
                "ecr lifecycle",
                start=self.ecr_lifecycle.start,
                stop=self.ecr_lifecycle.stop,
                active=True,
            ),
            *(
                [
                    Component(
                        "task metrics", self.task_metrics.start, self.task_metrics.stop, active=True
                    )
                ]
                if settings.task_metrics
                else []
            ),
            Component("alarms", start=self.alarms.start, stop=self.alarms.stop, active=True),
            Component(
                "acm validation",
                start=self.acm_validation.start,
                stop=self.acm_validation.stop,
                active=True,
            ),
            Component("scaling", start=self.scaling.start, stop=self.scaling.stop, active=True),
        ]

    # -- life -----------------------------------------------------------------------------
    async def start(self) -> None:
        for c in self.components:
            await c.start()

    async def stop(self) -> None:
        for c in reversed(self.components):
            try:
                await c.stop()
            except Exception:
                log.exception("stopping %s failed", c.name)

    async def reset(self) -> None:
        """Back to an empty daemon: the controllers stop first, so that a wiped store
        leaves no container behind and nothing writes while it is wiped."""
        active = [c for c in self.components if c.active]
        for c in reversed(active):
            await c.stop()
        for c in reversed(self.components):
            await c.reset()
        for c in active:
            await c.start()

    async def _ping(self) -> None:
        try:
            version = await self.runtime.ping()
            where = self.settings.docker_host or "the local Docker socket"
            print(f"ecsd: container runtime {version} at {where}", flush=True)
        except RuntimeUnavailable as exc:
            print(
                f"ecsd: WARNING: no container runtime reachable ({exc}); the API works, "
                "but tasks will stop with ResourceInitializationError until one is.",
                flush=True,
            )

    async def _remove_ours(self) -> None:
        try:
            for state in await self.runtime.list({LABEL_INSTANCE: self.settings.instance_id()}):
                await self.runtime.remove(state.id)
        except RuntimeUnavailable:
            pass  # nothing of ours can be running where no engine is

    async def _load_task(self, arn: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
        return await self.tasks.access.load(arn)

    async def _remember_session(
        self, access_key_id: str, role_arn: str, session: str, expiration: float
    ) -> None:
        """A task's role credentials, recorded for STS (GetCallerIdentity)."""
        await self.units.run(
            lambda u: sessions.record(u, access_key_id, role_arn, session, expiration),
            region=self.settings.region,
        )

    def _issued_secret(self, access_key_id: str) -> str | None:
        """The secret of a key AssumeRole handed out, for the SigV4 check (a read on the
        calling thread: only keys no other source knows reach it)."""
        return self.store.read_sync(
            lambda conn: sessions.secret_of(
                self.units.open(conn, region=self.settings.region), access_key_id
            )
        )

    async def _close_store(self) -> None:
        self.store.close()

    # -- HTTP surfaces ----------------------------------------------------------------------
    def app(self) -> web.Application:
        # Outermost first: HTTP-level errors (too large, bad encoding, an escaped
        # exception) answered in the AWS shape, then the guard (Host, Origin,
        # authentication) before every surface.
        app = web.Application(
            client_max_size=16 * 1024 * 1024,
            # The console's files and change feed carry no data: they load unsigned under
            # --auth, and the console signs its API calls itself.
            middlewares=[
                aws_errors,
                http_guard.middleware(
                    self.settings,
                    keys=KeyView(
                        dict(self.settings.access_keys),
                        self.taskside.keys,
                        self.clock.time,
                        self._issued_secret,
                    ),
                    unsigned=(console.PREFIX,),
                ),
            ],
            # No hosted operation takes a compressed body: aiohttp must not inflate one
            # (it answers an encoding it cannot decode in plain text, before any
            # middleware); aws_errors refuses every Content-Encoding in the AWS shape.
            handler_args={"auto_decompress": False},
        )
        self.mount_admin(app)
        self.registry.mount(app)
        console.mount(app, self.gateway.handle, self.changes)
        # Nothing else under the console's prefix is an AWS call.
        app.router.add_route("*", console.PREFIX + "{tail:.*}", _not_here)
        app.router.add_route("*", "/{tail:.*}", self.gateway.handle)

        async def startup(_app: web.Application) -> None:
            await self.start()

        async def cleanup(_app: web.Application) -> None:
            await self.stop()

        app.on_startup.append(startup)
        app.on_cleanup.append(cleanup)
        return app

    def mount_admin(self, app: web.Application) -> None:
        async def health(_request: web.Request) -> web.Response:
            return web.json_response({"status": "ok", "version": __version__})

        async def reset(_request: web.Request) -> web.Response:
            await self.reset()
            return web.json_response({"reset": True})

        async def ca_pem(_request: web.Request) -> web.Response:
            # The root of ecsd's local CA: what a user trusts to verify HTTPS listeners.
            pem = await asyncio.to_thread(acm_ca.root_pem, self.settings.data_dir)
            return web.Response(body=pem, content_type="application/x-pem-file")

        app.router.add_get("/_ecsd/health", health)
        app.router.add_get("/_ecsd/ca.pem", ca_pem)
        app.router.add_post("/_ecsd/reset", reset)


async def _not_here(_request: web.Request) -> web.Response:
    # ecsd's own text: a path under a surface's prefix that the surface does not serve.
    return web.json_response({"message": "Not served by this ecsd."}, status=404)

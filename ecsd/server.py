"""Assemble the daemon: the AWS gateway, ecsd's own `/_ecsd/` routes, and the
controllers that turn desired state into containers."""

from __future__ import annotations

import logging
import sys

from aiohttp import web

from . import __version__
from .aws.gateway import Gateway
from .config import Settings
from .controllers.services import ServiceController
from .controllers.tasks import LABEL_INSTANCE, TaskController, bridge
from .core.bus import Bus
from .core.clock import SystemClock
from .runtime.base import RuntimeUnavailable
from .runtime.docker import DockerRuntime
from .services import all_providers
from .services.logs.ingest import LogSink
from .store import Store

log = logging.getLogger(__name__)

STORE = web.AppKey("store", Store)


def build_app(settings: Settings) -> web.Application:
    providers = all_providers()  # imports every service's tables before the store opens
    store = Store(settings.database)
    runtime = DockerRuntime(settings.docker_host)
    sink = LogSink(store, account=settings.account_id)
    controllers: list[TaskController | ServiceController] = []

    def notify(topics: set[str]) -> None:
        """A committed write (of the API or of a controller) wakes who it concerns."""
        for c in controllers:
            c.wake(topics)

    bus = Bus()
    bridge(bus, notify)  # the scheduler hears the task controller's writes
    controller = TaskController(
        store, runtime, settings, sink, settings.instance_id(), bus=bus, clock=SystemClock()
    )
    scheduler = ServiceController(store, settings, notify)
    controllers += [controller, scheduler]
    gateway = Gateway(store, providers, settings, notify=notify)
    app = web.Application(client_max_size=16 * 1024 * 1024)
    app[STORE] = store

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "version": __version__})

    async def reset(_request: web.Request) -> web.Response:
        # Stop what the tasks started first: a wiped store must not leave containers.
        await scheduler.stop()
        await controller.stop()
        try:
            for state in await runtime.list({LABEL_INSTANCE: settings.instance_id()}):
                await runtime.remove(state.id)
        except RuntimeUnavailable:
            pass  # nothing of ours can be running where no engine is
        await sink.flush()
        await store.reset()
        await controller.start()
        await scheduler.start()
        return web.json_response({"reset": True})

    async def startup(_app: web.Application) -> None:
        try:
            version = await runtime.ping()
            where = settings.docker_host or "the local Docker socket"
            print(f"ecsd: container runtime {version} at {where}", flush=True)
        except RuntimeUnavailable as exc:
            print(
                f"ecsd: WARNING: no container runtime reachable ({exc}); the API works, "
                "but tasks will stop with ResourceInitializationError until one is.",
                flush=True,
            )
        await controller.start()
        await scheduler.start()

    async def cleanup(_app: web.Application) -> None:
        await scheduler.stop()
        await controller.stop()
        await sink.close()
        await runtime.close()
        store.close()

    app.router.add_get("/_ecsd/health", health)
    app.router.add_post("/_ecsd/reset", reset)
    app.router.add_route("*", "/{tail:.*}", gateway.handle)
    app.on_startup.append(startup)
    app.on_cleanup.append(cleanup)
    return app


def serve(settings: Settings) -> None:
    # Work hops between the event loop and the store and Docker threads many times per
    # request and per task step; a shorter GIL switch interval (default 5 ms) keeps each
    # hop from waiting out a whole interval.
    sys.setswitchinterval(0.0005)
    app = build_app(settings)
    print(
        f"ecsd {__version__} listening on http://{settings.host}:{settings.port} "
        f"(state in {settings.data_dir})",
        flush=True,
    )
    web.run_app(
        app,
        host=settings.host,
        port=settings.port,
        print=None,
        access_log=None,
        handle_signals=True,
    )

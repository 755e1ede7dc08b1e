"""Serve the daemon over HTTP: `build_app` (the composition root is daemon.py) and
`serve`, which runs it until a signal."""

from __future__ import annotations

import sys

from aiohttp import web

from . import __version__
from .aws.http_errors import aws_errors
from .config import Settings
from .core.clock import Clock
from .daemon import Daemon
from .runtime.base import Runtime
from .store import Store

STORE = web.AppKey("store", Store)
DAEMON = web.AppKey("daemon", Daemon)


def build_app(
    settings: Settings, *, runtime: Runtime | None = None, clock: Clock | None = None
) -> web.Application:
    """The daemon's HTTP application; `runtime` defaults to DockerRuntime and `clock` to
    the system clock (tests give fakes)."""
    daemon = Daemon(settings, runtime=runtime, clock=clock)
    app = daemon.app()
    app.middlewares.append(aws_errors)  # HTTP-level errors in the AWS shape (aws/http_errors)
    app[DAEMON] = daemon
    app[STORE] = daemon.store
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

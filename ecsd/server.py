"""Assemble the aiohttp application: the AWS gateway plus ecsd's own `/_ecsd/` routes."""

from __future__ import annotations

import logging

from aiohttp import web

from . import __version__
from .aws.gateway import Gateway
from .config import Settings
from .services import all_providers
from .store import Store

log = logging.getLogger(__name__)

STORE = web.AppKey("store", Store)


def build_app(settings: Settings) -> web.Application:
    providers = all_providers()  # imports every service's tables before the store opens
    store = Store(settings.database)
    gateway = Gateway(store, providers, settings)
    app = web.Application(client_max_size=16 * 1024 * 1024)
    app[STORE] = store

    async def health(_request: web.Request) -> web.Response:
        return web.json_response({"status": "ok", "version": __version__})

    async def reset(_request: web.Request) -> web.Response:
        await store.reset()
        return web.json_response({"reset": True})

    async def close(_app: web.Application) -> None:
        store.close()

    app.router.add_get("/_ecsd/health", health)
    app.router.add_post("/_ecsd/reset", reset)
    app.router.add_route("*", "/{tail:.*}", gateway.handle)
    app.on_cleanup.append(close)
    return app


def serve(settings: Settings) -> None:
    app = build_app(settings)
    print(f"ecsd {__version__} listening on http://{settings.host}:{settings.port} "
          f"(state in {settings.data_dir})", flush=True)
    web.run_app(app, host=settings.host, port=settings.port, print=None,
                access_log=None, handle_signals=True)

"""Serving the console: its static files under `/_console/`, and a browser that opens
`/` (asking for HTML) sent there — AWS clients POST to `/`, so a GET asking for a page
is never an API call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from pathlib import Path

from aiohttp import web

from .changes import Changes

PREFIX = "/_console/"
STATIC = Path(__file__).parent / "static"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def mount(app: web.Application, fallback: Handler, changes: Changes) -> None:
    """Add the console's routes; `fallback` answers a GET of `/` that is not a page
    request (the AWS gateway)."""

    async def index(_request: web.Request) -> web.StreamResponse:
        response = web.FileResponse(STATIC / "index.html")
        response.headers["Cache-Control"] = "no-cache"
        return response

    async def root(request: web.Request) -> web.StreamResponse:
        if "text/html" in request.headers.get("Accept", ""):
            raise web.HTTPFound(PREFIX)
        return await fallback(request)

    app.router.add_get("/", root)
    app.router.add_get(PREFIX, index)
    app.router.add_get(PREFIX + "changes", changes.handle)
    app.router.add_get(PREFIX.rstrip("/"), lambda _r: _redirect())
    # show_index off: a folder is not a page; follow_symlinks off: nothing outside STATIC.
    app.router.add_static(PREFIX + "static/", STATIC, append_version=False)


async def _redirect() -> web.StreamResponse:
    raise web.HTTPFound(PREFIX)

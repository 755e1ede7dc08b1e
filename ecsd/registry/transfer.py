"""Blob bytes over HTTP: HEAD/GET (with Range) and uploads — monolithic (POST with
`digest`), chunked (POST, PATCH…, PUT) and cross-repository mounts (POST `mount`/`from`).

Bodies are streamed: read from the socket in pieces, gathered up to WRITE_AT bytes and
written (and hashed) in a worker thread while the next piece is read, so a 1 GB layer
costs a few MB of memory and the event loop never waits on the disk. The digest is
computed as the bytes arrive (kept per upload while the daemon runs; after a restart the
file is hashed again at the end).
"""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Awaitable, Callable
from typing import Any, BinaryIO

from aiohttp import web

from ..model.ecr import blobs, repositories, storage, uploads
from .answers import RegistryError, blob_unknown

WRITE_AT = 4 * 1024 * 1024
READ = 1024 * 1024
CONTENT_RANGE = re.compile(r"^(?:bytes[ =])?(\d+)-(\d+)(?:/\d+|/\*)?$")


class GcLock:
    """Uploads finishing (rename, then row) against the collector (row gone, then
    file removed): many finishes at once, or the collector alone."""

    def __init__(self) -> None:
        self._cond = asyncio.Condition()
        self._finishing = 0
        self._collecting = False

    async def finish(self) -> None:
        async with self._cond:
            await self._cond.wait_for(lambda: not self._collecting)
            self._finishing += 1

    async def finished(self) -> None:
        async with self._cond:
            self._finishing -= 1
            self._cond.notify_all()

    async def collect(self) -> None:
        async with self._cond:
            await self._cond.wait_for(lambda: not self._collecting and self._finishing == 0)
            self._collecting = True

    async def collected(self) -> None:
        async with self._cond:
            self._collecting = False
            self._cond.notify_all()


class Transfers:
    def __init__(self, run: Callable[..., Awaitable[Any]], settings: Any) -> None:
        self.run = run  # Units.run bound to the registry's region
        self.settings = settings
        self.data_dir = settings.data_dir
        self.gc_lock = GcLock()
        # upload id -> (running sha256, bytes hashed); lost on restart (then rehashed).
        self.hashers: dict[str, tuple[Any, int]] = {}
        self.locks: dict[str, asyncio.Lock] = {}

    # -- blobs ------------------------------------------------------------------------------
    async def blob(self, request: web.Request, name: str, digest: str) -> web.StreamResponse:
        if not storage.valid_digest(digest):
            raise RegistryError("DIGEST_INVALID", "invalid digest", 400, detail=digest[:100])

        def look(unit: Any) -> int | None:
            repositories.require(unit, name)
            return blobs.size(unit, digest)

        size = await self.run(look, write=False)
        if size is None:
            raise blob_unknown(digest)
        headers = {
            "Docker-Content-Digest": digest,
            "Accept-Ranges": "bytes",
            "Cache-Control": "max-age=31536000",
            "Docker-Distribution-API-Version": "registry/2.0",
        }
        if request.method == "HEAD":
            headers["Content-Length"] = str(size)
            return web.Response(
                status=200, headers=headers, content_type="application/octet-stream"
            )
        path = storage.blob_path(self.data_dir, digest)
        # FileResponse serves Range requests (206, Content-Range) and sends with
        # sendfile from a thread: nothing read into memory, nothing on the loop.
        response = web.FileResponse(path, headers=headers)
        response.content_type = "application/octet-stream"
        return response

    # -- uploads ----------------------------------------------------------------------------
    async def start(self, request: web.Request, name: str) -> web.StreamResponse:
        mount, source = request.query.get("mount"), request.query.get("from")
        if mount and storage.valid_digest(mount):
            # Blobs are shared by the whole registry: a blob the registry holds mounts
            # into any repository of it, whichever `from` names.
            def mountable(unit: Any) -> bool:
                repositories.require(unit, name)
                if source and repositories.get(unit, source) is None:
                    return False
                return blobs.exists(unit, mount)

            if await self.run(mountable, write=False):
                return _created(name, mount)
        upload_id = await self.run(lambda unit: _start(unit, name))
        digest = request.query.get("digest")
        if digest is not None:  # monolithic: the whole blob in this POST
            return await self._finish(request, name, upload_id, digest)
        return _accepted(name, upload_id, 0)

    async def status(self, name: str, upload_id: str) -> web.StreamResponse:
        await self.run(lambda unit: uploads.require(unit, upload_id, name), write=False)
        size = await asyncio.to_thread(storage.upload_size, self.data_dir, upload_id) or 0
        response = _accepted(name, upload_id, size)
        response.set_status(204)
        return response

    async def patch(self, request: web.Request, name: str, upload_id: str) -> web.StreamResponse:
        async with self._lock(upload_id):
            await self.run(lambda unit: uploads.require(unit, upload_id, name), write=False)
            size = await self._receive(request, upload_id)
            await self.run(lambda unit: uploads.note(unit, upload_id, size))
            return _accepted(name, upload_id, size)

    async def put(self, request: web.Request, name: str, upload_id: str) -> web.StreamResponse:
        digest = request.query.get("digest", "")
        async with self._lock(upload_id):
            await self.run(lambda unit: uploads.require(unit, upload_id, name), write=False)
            return await self._finish(request, name, upload_id, digest)

    async def cancel(self, name: str, upload_id: str) -> web.StreamResponse:
        async with self._lock(upload_id):
            await self.run(lambda unit: uploads.require(unit, upload_id, name), write=False)
            await self.run(lambda unit: uploads.cancel(unit, upload_id))
            self.forget([upload_id])
            await asyncio.to_thread(storage.remove_upload, self.data_dir, upload_id)
            return web.Response(status=204)

    def forget(self, upload_ids: list[str]) -> None:
        """Drop what is kept in memory for uploads that ended (or were swept)."""
        for upload_id in upload_ids:
            self.hashers.pop(upload_id, None)
            lock = self.locks.get(upload_id)
            if lock is not None and not lock.locked():
                del self.locks[upload_id]

    async def _finish(
        self, request: web.Request, name: str, upload_id: str, digest: str
    ) -> web.StreamResponse:
        if not storage.valid_digest(digest):
            raise RegistryError("DIGEST_INVALID", "invalid digest", 400, detail=digest[:100])
        size = await self._receive(request, upload_id)
        state = self.hashers.pop(upload_id, None)
        actual = None
        if state is not None and state[1] == size:
            actual = "sha256:" + state[0].hexdigest()
        await self.gc_lock.finish()
        try:
            try:
                size = await asyncio.to_thread(
                    storage.finish, self.data_dir, upload_id, digest, actual
                )
            except storage.DigestMismatch as exc:
                await self.run(lambda unit: uploads.cancel(unit, upload_id))
                raise RegistryError(
                    "DIGEST_INVALID",
                    "provided digest did not match uploaded content",
                    400,
                    detail={"provided": exc.given, "computed": exc.actual},
                ) from None
            await self.run(lambda unit: uploads.commit(unit, upload_id, digest, size))
        finally:
            await self.gc_lock.finished()
        self.locks.pop(upload_id, None)
        return _created(name, digest)

    async def _receive(self, request: web.Request, upload_id: str) -> int:
        """Append the request body to the upload; the upload's size after it."""
        offset = await asyncio.to_thread(storage.upload_size, self.data_dir, upload_id)
        if offset is None:
            raise RegistryError("BLOB_UPLOAD_UNKNOWN", "blob upload unknown to registry", 404)
        given = request.headers.get("Content-Range")
        if given and request.content_length != 0:
            m = CONTENT_RANGE.match(given.strip())
            if m is None or int(m.group(1)) != offset:
                raise RegistryError(
                    "BLOB_UPLOAD_INVALID",
                    "the chunk does not start where the upload ends",
                    416,
                    Range=f"0-{max(offset - 1, 0)}",
                )
        state = self.hashers.get(upload_id)
        hasher = state[0] if state is not None and state[1] == offset else None
        if hasher is None and offset == 0:
            hasher = hashlib.sha256()
        path = storage.upload_path(self.data_dir, upload_id)
        f: BinaryIO = await asyncio.to_thread(open, path, "ab")
        size = offset
        pending: asyncio.Future[None] | None = None
        try:
            parts: list[bytes] = []
            held = 0
            while True:
                async with asyncio.timeout(self.settings.body_timeout):
                    chunk = await request.content.read(READ)
                if chunk:
                    parts.append(chunk)
                    held += len(chunk)
                if held >= WRITE_AT or (not chunk and parts):
                    if pending is not None:
                        await pending
                    data = b"".join(parts)
                    parts, held = [], 0
                    size += len(data)
                    pending = asyncio.ensure_future(asyncio.to_thread(_write, f, hasher, data))
                if not chunk:
                    break
            if pending is not None:
                await pending
                pending = None
        except TimeoutError:
            raise RegistryError(
                "BLOB_UPLOAD_INVALID", "the upload's body stopped arriving", 400
            ) from None
        finally:
            if pending is not None:
                await asyncio.gather(pending, return_exceptions=True)
            await asyncio.to_thread(f.close)
        if hasher is not None:
            self.hashers[upload_id] = (hasher, size)
        else:
            self.hashers.pop(upload_id, None)
        return size

    def _lock(self, upload_id: str) -> asyncio.Lock:
        return self.locks.setdefault(upload_id, asyncio.Lock())


def _write(f: BinaryIO, hasher: Any, data: bytes) -> None:
    f.write(data)
    if hasher is not None:
        hasher.update(data)


def _start(unit: Any, name: str) -> str:
    repositories.require(unit, name)
    return uploads.start(unit, name)


def _accepted(name: str, upload_id: str, size: int) -> web.Response:
    return web.Response(
        status=202,
        headers={
            "Location": f"/v2/{name}/blobs/uploads/{upload_id}",
            "Range": f"0-{max(size - 1, 0)}",
            "Docker-Upload-UUID": upload_id,
            "Content-Length": "0",
            "Docker-Distribution-API-Version": "registry/2.0",
        },
    )


def _created(name: str, digest: str) -> web.Response:
    return web.Response(
        status=201,
        headers={
            "Location": f"/v2/{name}/blobs/{digest}",
            "Docker-Content-Digest": digest,
            "Content-Length": "0",
            "Docker-Distribution-API-Version": "registry/2.0",
        },
    )

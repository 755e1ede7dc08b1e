"""The `/v2/` routes, the Basic authentication every one of them requires, manifests and
tag lists, and the registry's life (the garbage-collection sweep, reset).

Authentication is ECR's: `docker login --username AWS --password-stdin` with the password
GetAuthorizationToken minted (model/ecr/tokens.py), sent as Basic `AWS:<password>` on
every request; anything else is 401 with a Basic challenge, before any work. The region
of a request is that of the repository it names (repositories.region_of): one registry
host serves every region, as the repositoryUri carries none.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import contextvars
import json
import logging
import shutil
from collections.abc import Awaitable, Callable
from typing import Any

from aiohttp import web

from ..aws.errors import AwsError
from ..core.bus import Bus, EcrImagesChanged
from ..core.unit import Units
from ..model.ecr import images, manifests, repositories, storage, tokens
from . import gc
from .answers import RegistryError, error_response, from_aws, manifest_unknown, unauthorized
from .transfer import Transfers

log = logging.getLogger(__name__)

PREFIX = "/v2/"
MANIFEST_MAX = 4 * 1024 * 1024  # ECR's manifest size limit
TAGS_PAGE_MAX = 1000
_NAME = r"{name:.+?}"

Handler = Callable[..., Awaitable[web.StreamResponse]]
# The region of the repository the request names (repositories.region_of), for every
# unit the request opens: each request runs in its own task, so its own context.
_region: contextvars.ContextVar[str | None] = contextvars.ContextVar(
    "registry_region", default=None
)


class Registry:
    def __init__(self, units: Units, settings: Any) -> None:
        self.units = units
        self.settings = settings
        self.transfers = Transfers(self.run, settings)
        self.collector = gc.Collector(
            self.run, settings, self.transfers.gc_lock, self.transfers.forget
        )
        account, region = settings.account_id, settings.region
        self.realm = f"https://{account}.dkr.ecr.{region}.amazonaws.com"

    def run(self, fn: Callable[[Any], Any], *, write: bool = True) -> Awaitable[Any]:
        """`fn` in a unit of the region this request's repository lives in."""
        return self.units.run(fn, region=_region.get() or self.settings.region, write=write)

    # -- life -------------------------------------------------------------------------------
    def subscribe(self, bus: Bus) -> None:
        """An image or a repository deleted through the ECR API (BatchDeleteImage, a
        lifecycle expiry, DeleteRepository with force) wakes the garbage collector as a
        DELETE over the registry does, instead of waiting for its periodic sweep."""
        bus.subscribe(EcrImagesChanged, self._images_changed)

    def _images_changed(self, event: EcrImagesChanged) -> None:
        if event.deleted:
            self.collector.poke()

    async def start(self) -> None:
        await self.collector.start()

    async def stop(self) -> None:
        await self.collector.stop()

    async def reset(self) -> None:
        """Forget every blob and upload on disk (the store's reset forgets the rows)."""
        self.transfers.hashers.clear()
        data = self.settings.data_dir
        await asyncio.to_thread(shutil.rmtree, data / "blobs", True)
        await asyncio.to_thread(shutil.rmtree, storage.uploads_dir(data), True)

    # -- routes -----------------------------------------------------------------------------
    def mount(self, app: web.Application) -> None:
        t = self.transfers
        routes: list[tuple[str, str, Handler]] = [
            ("GET", "/v2/", self.base),
            ("POST", f"/v2/{_NAME}/blobs/uploads/", t.start),
            ("GET", f"/v2/{_NAME}/blobs/uploads/{{upload_id}}", self._status),
            ("PATCH", f"/v2/{_NAME}/blobs/uploads/{{upload_id}}", t.patch),
            ("PUT", f"/v2/{_NAME}/blobs/uploads/{{upload_id}}", t.put),
            ("DELETE", f"/v2/{_NAME}/blobs/uploads/{{upload_id}}", self._cancel),
            ("GET", f"/v2/{_NAME}/blobs/{{digest}}", t.blob),
            ("HEAD", f"/v2/{_NAME}/blobs/{{digest}}", t.blob),
            ("GET", f"/v2/{_NAME}/manifests/{{ref}}", self.get_manifest),
            ("HEAD", f"/v2/{_NAME}/manifests/{{ref}}", self.get_manifest),
            ("PUT", f"/v2/{_NAME}/manifests/{{ref}}", self.put_manifest),
            ("DELETE", f"/v2/{_NAME}/manifests/{{ref}}", self.delete_manifest),
            ("GET", f"/v2/{_NAME}/tags/list", self.tags),
        ]
        for method, path, handler in routes:
            app.router.add_route(method, path, self._guarded(handler))
        app.router.add_route("*", "/v2/{tail:.*}", self._guarded(self.unknown))
        app.router.add_route("*", "/v2", self._guarded(self.unknown))

    def _guarded(self, handler: Handler) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def guarded(request: web.Request) -> web.StreamResponse:
            head = request.method == "HEAD"
            try:
                self._authenticate(request)
                args = dict(request.match_info)
                name = args.get("name")
                if name is not None and not repositories.valid_name(name):
                    raise RegistryError(
                        "NAME_INVALID", "invalid repository name", 400, detail=name[:300]
                    )
                if name is not None:
                    _region.set(
                        await self.units.run(
                            lambda unit: repositories.region_of(unit, name),
                            region=self.settings.region,
                            write=False,
                        )
                    )
                return await handler(request, **{k: v for k, v in args.items() if k != "tail"})
            except RegistryError as error:
                return error_response(error, head=head)
            except AwsError as error:
                return error_response(from_aws(error), head=head)
            except (ConnectionResetError, asyncio.CancelledError):
                raise
            except Exception:
                log.exception("registry: %s %s failed", request.method, request.path)
                # ecsd's own text for a failure of its own.
                return error_response(
                    RegistryError("UNKNOWN", "internal error in ecsd's registry", 500), head=head
                )

        return guarded

    def _authenticate(self, request: web.Request) -> None:
        token = request.query.get(tokens.DOWNLOAD_PARAM)
        if token is not None and request.method in ("GET", "HEAD"):
            # A layer's download URL (GetDownloadUrlForLayer): good for its one blob.
            name, digest = request.match_info.get("name"), request.match_info.get("digest")
            now = self.units.clock.time()
            if name and digest and tokens.verify_download(self.settings, token, name, digest, now):
                return
        header = request.headers.get("Authorization", "")
        scheme, _, value = header.partition(" ")
        if scheme.lower() != "basic":
            raise unauthorized(self.realm, "authentication required")
        try:
            user, _, password = (
                base64.b64decode(value.strip(), validate=True).decode().partition(":")
            )
        except (binascii.Error, UnicodeDecodeError):
            raise unauthorized(self.realm, "malformed credentials") from None
        now = self.units.clock.time()
        if user != "AWS" or not tokens.verify(self.settings, password, now):
            raise unauthorized(self.realm, "Your authorization token is invalid or has expired.")

    # -- handlers ---------------------------------------------------------------------------
    async def base(self, request: web.Request) -> web.StreamResponse:
        return _json({})

    async def unknown(self, request: web.Request, **_: str) -> web.StreamResponse:
        # ECR offers no catalog; anything else under /v2/ is not an endpoint (ecsd's text).
        raise RegistryError("UNSUPPORTED", "The operation is unsupported.", 404)

    async def _status(self, request: web.Request, name: str, upload_id: str) -> web.StreamResponse:
        return await self.transfers.status(name, upload_id)

    async def _cancel(self, request: web.Request, name: str, upload_id: str) -> web.StreamResponse:
        return await self.transfers.cancel(name, upload_id)

    async def get_manifest(self, request: web.Request, name: str, ref: str) -> web.StreamResponse:
        pull = request.method == "GET"

        def read(unit: Any) -> tuple[bytes, str, str] | None:
            repositories.require(unit, name)
            return images.get_manifest(unit, name, ref, pull=pull)

        found = await self.run(read, write=pull)
        if found is None:
            raise manifest_unknown(ref)
        body, media_type, digest = found
        headers = {
            "Docker-Content-Digest": digest,
            "Docker-Distribution-API-Version": "registry/2.0",
            "Content-Type": media_type,
        }
        if request.method == "HEAD":
            headers["Content-Length"] = str(len(body))
            return web.Response(status=200, headers=headers)
        return web.Response(status=200, body=body, headers=headers)

    async def put_manifest(self, request: web.Request, name: str, ref: str) -> web.StreamResponse:
        if request.content_length is not None and request.content_length > MANIFEST_MAX:
            raise RegistryError("MANIFEST_INVALID", "manifest too large", 413)
        body = await _read_capped(request, MANIFEST_MAX, self.settings.body_timeout)
        is_digest = storage.valid_digest(ref)
        if not is_digest and not manifests.TAG.match(ref):
            raise RegistryError("TAG_INVALID", "manifest tag did not match URI", 400, detail=ref)
        media = request.headers.get("Content-Type")

        def put(unit: Any) -> dict[str, Any]:
            return images.put_manifest(
                unit,
                name,
                body,
                media,
                tag=None if is_digest else ref,
                digest=ref if is_digest else None,
            )

        out = await self.run(put)
        return web.Response(
            status=201,
            headers={
                "Location": f"/v2/{name}/manifests/{out['digest']}",
                "Docker-Content-Digest": out["digest"],
                "Content-Length": "0",
                "Docker-Distribution-API-Version": "registry/2.0",
            },
        )

    async def delete_manifest(
        self, request: web.Request, name: str, ref: str
    ) -> web.StreamResponse:
        def drop(unit: Any) -> bool:
            repositories.require(unit, name)
            if storage.valid_digest(ref):
                if images.by_digest(unit, name, ref) is None:
                    return False
                images.delete(unit, name, digest=ref)
                return True
            return images.untag(unit, name, ref)

        if not await self.run(drop):
            raise manifest_unknown(ref)
        # An image deleted wakes the garbage collector (see subscribe).
        return web.Response(status=202, headers={"Content-Length": "0"})

    async def tags(self, request: web.Request, name: str) -> web.StreamResponse:
        try:
            n = int(request.query["n"]) if "n" in request.query else None
        except ValueError:
            raise RegistryError(
                "PAGINATION_NUMBER_INVALID", "invalid number of results requested", 400
            ) from None
        if n is not None and not 0 <= n <= TAGS_PAGE_MAX:
            raise RegistryError(
                "PAGINATION_NUMBER_INVALID", "invalid number of results requested", 400
            )
        last = request.query.get("last")

        def read(unit: Any) -> list[str]:
            repositories.require(unit, name)
            return images.all_tags(unit, name, last=last, n=None if n is None else n + 1)

        tags = await self.run(read, write=False)
        headers = {}
        if n is not None and len(tags) > n:
            tags = tags[:n]
            headers["Link"] = f'</v2/{name}/tags/list?n={n}&last={tags[-1]}>; rel="next"'
        return _json({"name": name, "tags": tags}, headers)


def _json(doc: Any, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(
        body=json.dumps(doc).encode(),
        content_type="application/json",
        headers={"Docker-Distribution-API-Version": "registry/2.0", **(headers or {})},
    )


async def _read_capped(request: web.Request, cap: int, timeout: float) -> bytes:
    parts: list[bytes] = []
    held = 0
    async with asyncio.timeout(timeout):
        while chunk := await request.content.read(64 * 1024):
            held += len(chunk)
            if held > cap:
                raise RegistryError("MANIFEST_INVALID", "manifest too large", 413)
            parts.append(chunk)
    return b"".join(parts)

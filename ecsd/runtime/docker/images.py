"""Images: find or pull one (concurrent requests for a ref share one pull), its repository
digest, and the holder image made from bytes (`pause.py`) on first use."""

from __future__ import annotations

import asyncio
from typing import Any

import docker
import docker.errors
import requests
import urllib3
from docker.api.client import APIClient
from docker.utils import parse_repository_tag

from .. import pause
from ..base import (
    ContainerCreateError,
    ImageInfo,
    ImagePullError,
)
from .answers import (
    _explain,
    _pull_message,
    _repo_digest,
)
from .engine import Engine


class Images(Engine):
    async def ensure_image(
        self, ref: str, *, source: str | None = None, auth: dict[str, str] | None = None
    ) -> ImageInfo:
        """Concurrent requests for one ref share one pull."""
        pending = self._pulls.get(ref)
        if pending is None:
            if source is not None:
                pending = asyncio.ensure_future(self._run(self._pull_from, ref, source, auth or {}))
            else:
                pending = asyncio.ensure_future(self._run(self._ensure_image, ref))
            self._pulls[ref] = pending

            def done(f: asyncio.Future[ImageInfo]) -> None:
                self._pulls.pop(ref, None)
                if not f.cancelled():
                    f.exception()  # retrieved here, so a lone failure is not "never retrieved"

            pending.add_done_callback(done)
        return await asyncio.shield(pending)

    def _ensure_image(self, api: APIClient, ref: str) -> ImageInfo:
        try:
            return self._image_info(ref, api.inspect_image(ref))
        except docker.errors.NotFound:
            pass
        repository, tag = parse_repository_tag(ref)
        try:
            # Without a tag the engine would pull every tag of the repository.
            for message in api.pull(repository, tag=tag or "latest", stream=True, decode=True):
                if isinstance(message, dict) and message.get("error"):
                    raise ImagePullError(_pull_message(ref, str(message["error"])))
            return self._image_info(ref, api.inspect_image(ref))
        except docker.errors.APIError as exc:
            raise ImagePullError(_pull_message(ref, _explain(exc))) from exc
        except (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError) as exc:
            raise ImagePullError(
                _pull_message(ref, f"the engine did not answer within {self._timeout:g} s")
            ) from exc

    def _pull_from(self, api: APIClient, ref: str, source: str, auth: dict[str, str]) -> ImageInfo:
        """Pull `source` (ecsd's registry) with `auth` and name it `ref` too. A missing
        image reads as ECS's for a missing ECR image."""
        repository, tag = parse_repository_tag(source)
        missing = (
            f"pull image manifest has been retried 5 time(s): failed to resolve ref "
            f"{ref}: {ref}: not found"
        )
        try:
            for message in api.pull(
                repository, tag=tag or "latest", stream=True, decode=True, auth_config=auth
            ):
                if isinstance(message, dict) and message.get("error"):
                    text = str(message["error"])
                    raise ImagePullError(
                        missing if "not found" in text else _pull_message(ref, text)
                    )
            attrs = api.inspect_image(source)
            if ref != source and "@" not in ref:
                name, ref_tag = parse_repository_tag(ref)
                api.tag(attrs["Id"], name, ref_tag or "latest")
            return self._image_info(source, attrs)
        except docker.errors.APIError as exc:
            text = _explain(exc)
            raise ImagePullError(
                missing if "not found" in text or "unknown" in text else _pull_message(ref, text)
            ) from exc
        except (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError) as exc:
            raise ImagePullError(
                _pull_message(ref, f"the engine did not answer within {self._timeout:g} s")
            ) from exc

    def _image_info(self, ref: str, attrs: dict[str, Any]) -> ImageInfo:
        digest = _repo_digest(ref, attrs.get("RepoDigests") or [])
        self._digests[attrs["Id"]] = digest
        return ImageInfo(ref=ref, id=attrs["Id"], digest=digest)

    def _digest_of(self, api: APIClient, image_id: str, ref: str) -> str | None:
        if image_id not in self._digests:
            try:
                self._image_info(ref, api.inspect_image(image_id))
            except docker.errors.NotFound:
                return None
        return self._digests.get(image_id)

    def _ensure_pause(self, api: APIClient) -> None:
        """Import the holder image on first use (see pause.py)."""
        with self._pause_lock:
            if self._pause_ready:
                return
            try:
                api.inspect_image(pause.IMAGE)
            except docker.errors.NotFound:
                arch = str(api.info().get("Architecture", ""))
                try:
                    tar = pause.image_tar(arch)
                except ValueError as exc:
                    raise ContainerCreateError(str(exc)) from exc
                # The tag inside `repo`: Podman ignores a separate `tag` parameter.
                out = api.import_image_from_data(tar, repository=pause.IMAGE, changes=pause.CHANGES)
                if '"error"' in str(out):
                    raise ContainerCreateError(f"cannot import {pause.IMAGE}: {out}") from None
                api.inspect_image(pause.IMAGE)
            self._pause_ready = True

"""Garbage collection of blobs: a sweep that forgets blobs no image refers to (after a
delete, an untag, a lifecycle expiry, a repository deleted) and removes their files, and
cleans what a crash can leave: upload files with no upload row, abandoned uploads, blob
files with no row. Uploads in progress are spared: blobs younger than blobs.GRACE (a push
uploads layers before its manifest) and uploads touched within uploads.ABANDONED.

A sweep runs every SWEEP seconds, soon after `poke` (an image or a repository deleted,
over the registry or the ECR API: EcrImagesChanged.deleted), and at start.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from ..model.ecr import blobs, storage, uploads

log = logging.getLogger(__name__)

SWEEP = 300.0
# Upload / blob files with no row yet may be a write in flight: spared this long.
ORPHAN_AGE = 600.0


class Collector:
    def __init__(
        self,
        run: Callable[..., Awaitable[Any]],
        settings: Any,
        lock: Any,
        forget: Callable[[list[str]], None] = lambda _ids: None,
    ) -> None:
        self.run = run
        self.forget = forget  # the uploads swept: their in-memory state goes too
        self.data_dir: Path = settings.data_dir
        self.lock = lock
        self.wake = asyncio.Event()
        self.task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.task = asyncio.create_task(self._loop(), name="registry gc")

    async def stop(self) -> None:
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
            self.task = None

    def poke(self) -> None:
        self.wake.set()

    async def _loop(self) -> None:
        while True:
            try:
                await self.sweep()
            except Exception:
                log.exception("registry garbage collection failed")
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(SWEEP):
                    await self.wake.wait()
            self.wake.clear()

    async def sweep(self, grace: float = blobs.GRACE) -> list[str]:
        """One pass; the blobs removed."""
        await self.lock.collect()
        try:
            gone: list[str] = await self.run(lambda unit: blobs.collect(unit, grace))
            for digest in gone:
                await asyncio.to_thread(storage.remove_blob, self.data_dir, digest)
            dropped: list[str] = await self.run(uploads.abandoned)
            self.forget(dropped)
            live: set[str] = await self.run(uploads.live_ids, write=False)
            on_disk = await asyncio.to_thread(storage.upload_ids, self.data_dir)
            for upload_id in set(dropped) | {u for u in on_disk if u not in live}:
                if upload_id in dropped or _older(
                    storage.uploads_dir(self.data_dir) / upload_id, ORPHAN_AGE
                ):
                    await asyncio.to_thread(storage.remove_upload, self.data_dir, upload_id)
            files = await asyncio.to_thread(lambda: list(storage.blob_digests(self.data_dir)))
            for i in range(0, len(files), 500):
                batch = files[i : i + 500]
                known: set[str] = await self.run(lambda u, b=batch: blobs.known(u, b), write=False)
                for digest in batch:
                    path = storage.blob_path(self.data_dir, digest)
                    if digest not in known and _older(path, ORPHAN_AGE):
                        await asyncio.to_thread(path.unlink, True)
            return gone
        finally:
            await self.lock.collected()


def _older(path: Path, age: float) -> bool:
    try:
        return path.stat().st_mtime < time.time() - age
    except FileNotFoundError:
        return False

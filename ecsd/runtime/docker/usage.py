"""Resource-use samples for ecsd's own CloudWatch metrics: one one-shot stats request per
container, many at a time, on threads and a client of their own.

`stream=False` without one-shot makes the engine take two samples a second apart (to fill
`precpu_stats`); one-shot returns the engine's next sample and the caller keeps its own
previous one instead. Docker's stats collector samples its subscribed containers once a
second, so a one-shot request mostly waits (up to a second) and costs little: requests
for many containers made together are answered by the same collector round. They get
`SAMPLE_THREADS` threads and connections of their own, so that a wave of samples
(hundreds of containers every metric period) neither takes the engine pool's threads
from the task controller nor waits behind them; at 400 containers a wave takes about
400 / SAMPLE_THREADS seconds.
"""

from __future__ import annotations

import asyncio
import builtins
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import docker.errors
import requests
from docker.api.client import APIClient

from ..base import Usage, usage_of
from .inside import Inside

SAMPLE_THREADS = 32  # stats requests in flight at once

log = logging.getLogger(__name__)


class Usages(Inside):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._sample_pool: ThreadPoolExecutor | None = None
        self._sample_api: APIClient | None = None
        self._sample_lock = threading.Lock()

    def _sampler(self) -> ThreadPoolExecutor:
        with self._sample_lock:
            if self._sample_pool is None:
                self._sample_pool = ThreadPoolExecutor(
                    SAMPLE_THREADS, thread_name_prefix="docker-stats"
                )
            return self._sample_pool

    def _sample(self, container_id: str) -> Usage | None:
        try:
            with self._sample_lock:
                if self._sample_api is None:
                    self._sample_api = APIClient(
                        base_url=self.url,
                        version="auto",
                        tls=self._tls,
                        timeout=self._timeout,
                        max_pool_size=SAMPLE_THREADS,
                    )
                api = self._sample_api
            stats = api.stats(container_id, decode=False, stream=False, one_shot=True)
        except docker.errors.NotFound:  # gone since the store said RUNNING: no sample
            return None
        except (docker.errors.DockerException, requests.exceptions.RequestException, OSError) as e:
            log.debug("no stats for %s: %s", container_id[:12], e)
            return None
        return usage_of(dict(stats))

    async def usage(self, container_ids: builtins.list[str]) -> dict[str, Usage]:
        pool = self._sampler()
        loop = asyncio.get_running_loop()
        found = await asyncio.gather(
            *(loop.run_in_executor(pool, self._sample, cid) for cid in container_ids)
        )
        return {cid: u for cid, u in zip(container_ids, found, strict=True) if u is not None}

    async def close(self) -> None:
        with self._sample_lock:
            pool, api = self._sample_pool, self._sample_api
            self._sample_pool = self._sample_api = None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)
        if api is not None:
            api.close()
        await super().close()

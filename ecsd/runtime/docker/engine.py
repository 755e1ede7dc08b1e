"""The Docker engine connection every part of `DockerRuntime` shares: one API client made
on first use, a thread pool for the blocking SDK, and the translation of transport
failures into RuntimeUnavailable (engine answers into RuntimeError_)."""

from __future__ import annotations

import asyncio
import functools
import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import docker
import docker.errors
import requests
import urllib3
from docker.api.client import APIClient
from docker.utils import kwargs_from_env

from ..base import (
    ImageInfo,
    RuntimeError_,
    RuntimeUnavailable,
)
from .answers import _explain, _quietly, _reason

T = TypeVar("T")
log = logging.getLogger(__name__)

DEFAULT_URL = "unix:///var/run/docker.sock"


class Engine:
    def __init__(
        self, base_url: str | None = None, *, timeout: float = 60.0, max_workers: int = 32
    ) -> None:
        tls: Any = False
        if base_url is None:  # DOCKER_HOST, DOCKER_TLS_VERIFY, DOCKER_CERT_PATH, as docker does
            env = kwargs_from_env()
            base_url, tls = env.get("base_url"), env.get("tls", False)
        self.url: str = base_url or DEFAULT_URL
        self._tls = tls
        self._timeout = timeout
        self._max_workers = max_workers
        # Stops wait for up to a container's stopTimeout: enough threads that a wave of
        # stops cannot starve inspects.
        self._pool = ThreadPoolExecutor(max_workers, thread_name_prefix="docker")
        self._api: APIClient | None = None
        self._api_lock = threading.Lock()
        self._pause_lock = threading.Lock()
        self._pause_ready = False
        self._digests: dict[str, str | None] = {}  # image id → repo digest (ids are immutable)
        self._pulls: dict[str, asyncio.Future[ImageInfo]] = {}
        # A digest reference docker cannot tag (the AWS form of an ecsd-registry image by
        # digest) → the reference it was pulled as, which containers are created from.
        self._aliases: dict[str, str] = {}
        self._closers: set[Callable[[], None]] = set()

    # -- plumbing -------------------------------------------------------------------
    def _client(self) -> APIClient:
        """One shared client, made on first use (making it asks the engine its API
        version, which fails while no engine answers: then the next call tries again)."""
        with self._api_lock:
            if self._api is None:
                self._api = APIClient(
                    base_url=self.url,
                    version="auto",
                    tls=self._tls,
                    timeout=self._timeout,
                    max_pool_size=self._max_workers,
                )
            return self._api

    def _unavailable(self, exc: BaseException) -> RuntimeUnavailable:
        if isinstance(exc, (requests.exceptions.Timeout, urllib3.exceptions.TimeoutError)):
            return RuntimeUnavailable(
                f"container runtime at {self.url} did not answer within {self._timeout:g} s"
            )
        return RuntimeUnavailable(f"no container runtime reachable at {self.url}: {_reason(exc)}")

    def _guarded(self, fn: Callable[..., T], *args: Any) -> T:
        try:
            return fn(self._client(), *args)
        except RuntimeError_:
            raise
        except docker.errors.APIError as exc:
            raise RuntimeError_(f"Error response from daemon: {_explain(exc)}") from exc
        except (
            requests.exceptions.RequestException,
            urllib3.exceptions.HTTPError,
            docker.errors.DockerException,
            OSError,
        ) as exc:
            raise self._unavailable(exc) from exc

    async def _run(self, fn: Callable[..., T], *args: Any) -> T:
        """fn(api, *args) on the pool, with transport failures as RuntimeUnavailable."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._pool, functools.partial(self._guarded, fn, *args))

    # -- engine ---------------------------------------------------------------------
    async def ping(self) -> str:
        return await self._run(lambda api: str(api.version().get("Version", "")))

    async def close(self) -> None:
        for close in list(self._closers):
            _quietly(close)
        self._pool.shutdown(wait=False, cancel_futures=True)
        with self._api_lock:
            if self._api is not None:
                self._api.close()
                self._api = None

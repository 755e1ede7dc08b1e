"""Fixtures for the runtime tests: a `DockerRuntime` on the real engine.

The engine comes from scripts/prepare-docker.sh and the image from
scripts/build-test-images.sh; `docker_engine` (tests/conftest.py) makes these tests fail
under CI (CI=true) where neither answers, and skip elsewhere.

Every test gets its own label value; whatever it created is removed afterwards, and
nothing else on the engine is touched.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Coroutine, Iterator
from typing import Any, TypeVar

import pytest

from ecsd.runtime.base import ContainerSpec, Sandbox
from ecsd.runtime.docker import DockerRuntime

T = TypeVar("T")
IMAGE = "ecsd-test/busybox:latest"
TEST_LABEL = "ecsd.test-run"


class Engine:
    """A DockerRuntime with its own event loop, for plain (sync) tests, and helpers
    that label everything with this test's id so clean-up takes exactly that."""

    def __init__(self) -> None:
        self.runner = asyncio.Runner()
        self.rt = DockerRuntime()
        self.run_id = uuid.uuid4().hex[:12]
        self.labels = {TEST_LABEL: self.run_id}

    def run(self, coro: Coroutine[Any, Any, T]) -> T:
        return self.runner.run(coro)

    def name(self, what: str) -> str:
        return f"ecsd-test-{self.run_id}-{what}"

    def sandbox(self, ports: list[tuple[int, str]] | None = None, what: str = "pause") -> Sandbox:
        return self.run(
            self.rt.create_sandbox(
                name=self.name(what), labels=self.labels, ports=ports or [], bind_host="127.0.0.1"
            )
        )

    def spec(
        self, what: str, command: list[str], sandbox: Sandbox | None = None, **extra: Any
    ) -> ContainerSpec:
        return ContainerSpec(
            name=self.name(what),
            image=IMAGE,
            labels={**self.labels, "ecsd.test-container": what},
            command=command,
            sandbox_id=sandbox.id if sandbox else None,
            **extra,
        )

    def start(self, spec: ContainerSpec) -> str:
        cid = self.run(self.rt.create_container(spec))
        self.run(self.rt.start(cid))
        return cid

    def cleanup(self) -> None:
        async def clean() -> None:
            for state in await self.rt.list(self.labels):
                await self.rt.remove(state.id)
            await self.rt.close()

        try:
            self.run(clean())
        finally:
            self.runner.close()


@pytest.fixture
def engine(docker_engine: None) -> Iterator[Engine]:
    e = Engine()
    yield e
    e.cleanup()

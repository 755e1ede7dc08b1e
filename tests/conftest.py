"""Shared fixtures: a real `ecsd serve` process, the daemon in-process, boto3 clients and
the real `aws` CLI.

One server per test session keeps the suite fast; every test starts from a clean slate
through `POST /_ecsd/reset`. Tests that must kill or restart a server start their own
with `ecsd_factory`. API tests that need no containers use `no_engine`, the daemon run in
the test process (in_process.py): no process to spawn.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).parent))
from in_process import InProcessServer  # noqa: E402
from server_process import EcsdProcess  # noqa: E402

REGION = "us-east-1"
CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "test",
    "AWS_SECRET_ACCESS_KEY": "test",
    "AWS_DEFAULT_REGION": REGION,
}
for _k, _v in CREDENTIALS.items():
    os.environ.setdefault(_k, _v)


@pytest.fixture(scope="session")
def ecsd_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[EcsdProcess]:
    server = EcsdProcess(tmp_path_factory.mktemp("ecsd") / "data").start()
    yield server
    server.close()


@pytest.fixture
def ecsd(ecsd_session: EcsdProcess) -> EcsdProcess:
    ecsd_session.reset()
    return ecsd_session


@pytest.fixture
def ecsd_factory(tmp_path: Path) -> Iterator[Callable[..., EcsdProcess]]:
    started: list[EcsdProcess] = []

    def make(*extra: str, data_dir: Path | None = None, port: int | None = None) -> EcsdProcess:
        server = EcsdProcess(data_dir or tmp_path / "data", port, *extra).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.close()


@pytest.fixture
def in_process(tmp_path: Path) -> Iterator[Callable[..., InProcessServer]]:
    """`in_process(**settings)` → the daemon served from this test process (a real HTTP
    endpoint, closed after the test); `runtime=` and `clock=` take fakes."""
    started: list[InProcessServer] = []

    def make(**kwargs: Any) -> InProcessServer:
        server = InProcessServer(tmp_path / f"in-process-{len(started)}", **kwargs).start()
        started.append(server)
        return server

    yield make
    for server in started:
        server.close()


@pytest.fixture(scope="module")
def no_engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InProcessServer]:
    """The daemon in-process (one per test module) whose Docker host answers nothing: the
    API works, and every task stops with TaskFailedToStart — for API tests that need no
    containers."""
    base = tmp_path_factory.mktemp("no-engine")
    server = InProcessServer(base / "data", docker_host=f"unix://{base}/no-engine.sock").start()
    yield server
    server.close()


@pytest.fixture
def no_engine_ecs(no_engine: InProcessServer) -> Any:
    """A boto3 ECS client on a clean `no_engine` server with the default cluster."""
    no_engine.reset()
    client = client_for(no_engine, "ecs")
    client.create_cluster()
    return client


def aws_error(err: pytest.ExceptionInfo[Exception]) -> tuple[str, str]:
    """(code, message) of a botocore ClientError, as the AWS answer gave them."""
    e = err.value.response["Error"]  # type: ignore[attr-defined]
    return e["Code"], e.get("Message", "")


def client_for(server: EcsdProcess | InProcessServer, service: str, region: str = REGION) -> Any:
    return boto3.client(
        service,
        endpoint_url=server.url,
        region_name=region,
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )


def register_web(ecs: Any, image: str = "busybox") -> dict[str, Any]:
    """Register the tests' usual task definition: family `web`, Fargate, awsvpc, 256 CPU
    units and 512 MiB, one container `app` running `image`."""
    return ecs.register_task_definition(
        family="web",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[{"name": "app", "image": image}],
    )["taskDefinition"]


@pytest.fixture
def client(ecsd: EcsdProcess) -> Callable[..., Any]:
    """`client("ecs")` → a boto3 client pointed at the test server."""
    return lambda service, region=REGION: client_for(ecsd, service, region)


@pytest.fixture
def ecs(client: Callable[..., Any]) -> Any:
    return client("ecs")


class AwsCli:
    """The real `aws` CLI (PyPI awscli) against a server."""

    def __init__(self, server: EcsdProcess | InProcessServer) -> None:
        self.server = server
        exe = shutil.which("aws", path=str(Path(sys.executable).parent)) or shutil.which("aws")
        assert exe, "the aws CLI (PyPI awscli) must be installed for the tests"
        self.exe = exe

    def run(
        self, *args: str, check: bool = True, cwd: Path | None = None
    ) -> subprocess.CompletedProcess[str]:
        proc = subprocess.run(
            [self.exe, "--endpoint-url", self.server.url, "--output", "json", *args],
            capture_output=True,
            text=True,
            env={**os.environ, **CREDENTIALS},
            cwd=cwd,
            timeout=120,
        )
        if check and proc.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed ({proc.returncode}): {proc.stderr}")
        return proc

    def json(self, *args: str, cwd: Path | None = None) -> Any:
        out = self.run(*args, cwd=cwd).stdout
        return json.loads(out) if out.strip() else None


@pytest.fixture
def aws(ecsd: EcsdProcess) -> AwsCli:
    return AwsCli(ecsd)


TEST_IMAGE = "ecsd-test/busybox:latest"


def docker_available() -> str | None:
    """None when a Docker engine answers and the test image exists; else why not."""
    docker = shutil.which("docker")
    if docker is None:
        return "no docker CLI on PATH"
    info = subprocess.run(
        [docker, "info", "--format", "{{.ServerVersion}}"], capture_output=True, text=True
    )
    if info.returncode != 0:
        return f"no Docker engine reachable: {info.stderr.strip()[:200]}"
    image = subprocess.run([docker, "image", "inspect", TEST_IMAGE], capture_output=True)
    if image.returncode != 0:
        return f"test image {TEST_IMAGE} missing (scripts/build-test-images.sh builds it)"
    return None


@pytest.fixture(scope="session")
def docker_engine() -> None:
    """Tests that need real containers. Under CI (CI=true) a missing engine FAILS the
    test — a skip there would hide a broken install step; elsewhere it skips."""
    why = docker_available()
    if why is None:
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"Docker is required under CI: {why}")
    pytest.skip(why)

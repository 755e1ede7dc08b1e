"""What a container is told (TaskSide.environment): the metadata URIs always, the
credentials URI and its token only with a task role, and AWS_ENDPOINT_URL unless the
container or the daemon turns it off."""

from __future__ import annotations

import asyncio
from pathlib import Path

from ecsd.config import Settings
from ecsd.core.clock import FakeClock
from ecsd.runtime.fake import FakeRuntime
from ecsd.taskside.keys import TaskKeys
from ecsd.taskside.listener import TaskSide

ARN = "arn:aws:ecs:us-east-1:000000000000:task/default/abc"


def _env(rt: dict, *, container: str = "app", **settings) -> dict[str, str]:
    async def main() -> dict[str, str]:
        clock = FakeClock()
        side = TaskSide(
            Settings(data_dir=Path("."), port=4600, **settings),
            FakeRuntime(clock),
            lambda _arn: asyncio.sleep(0, None),  # type: ignore[arg-type,return-value]
            clock,
            lambda _r: None,  # type: ignore[arg-type,return-value]
            TaskKeys(b"k" * 32),
        )
        side.gateway = "10.88.0.1"
        await side.enter({"taskArn": ARN}, rt)
        return side.environment({"taskArn": ARN}, rt, container)

    return asyncio.run(main())


def test_without_a_role_no_credentials():
    env = _env({"containers": [{"name": "app"}]})
    assert env["ECS_CONTAINER_METADATA_URI_V4"].startswith("http://10.88.0.1:4600/v4/")
    assert env["ECS_CONTAINER_METADATA_URI"].startswith("http://10.88.0.1:4600/v3/")
    assert env["AWS_ENDPOINT_URL"] == "http://10.88.0.1:4600"
    assert not any(k.startswith("AWS_CONTAINER_") for k in env)


def test_with_a_role_credentials_and_their_token():
    rt = {"containers": [{"name": "app"}], "taskRoleArn": "arn:aws:iam::0:role/r"}
    env = _env(rt)
    assert "/v2/credentials/" in env["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
    assert len(env["AWS_CONTAINER_AUTHORIZATION_TOKEN"]) == 32
    assert "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI" not in env  # SDKs would prefer it


def test_each_container_has_its_own_token():
    rt = {"containers": [{"name": "app"}, {"name": "side"}]}
    assert (
        _env(rt)["ECS_CONTAINER_METADATA_URI_V4"]
        != _env(rt, container="side")["ECS_CONTAINER_METADATA_URI_V4"]
    )


def test_the_endpoint_can_be_turned_off_per_container_or_per_daemon():
    off = {
        "containers": [
            {"name": "app", "environment": [{"name": "ECSD_AWS_ENDPOINT", "value": "off"}]}
        ]
    }
    assert "AWS_ENDPOINT_URL" not in _env(off)
    assert "AWS_ENDPOINT_URL" not in _env({"containers": [{"name": "app"}]}, task_endpoint=False)
    assert "ECS_CONTAINER_METADATA_URI_V4" in _env(off)


def _with_taskside(sandbox_exists: bool) -> tuple[dict[str, str], set[str], str]:
    """A task with a role, its holder on the fake engine (or gone), ecsd listening on
    the task-side network's address."""

    async def main() -> tuple[dict[str, str], set[str], str]:
        clock = FakeClock()
        runtime = FakeRuntime(clock)
        side = TaskSide(
            Settings(data_dir=Path("."), port=4600),
            runtime,
            lambda _arn: asyncio.sleep(0, None),  # type: ignore[arg-type,return-value]
            clock,
            lambda _r: None,  # type: ignore[arg-type,return-value]
            TaskKeys(b"k" * 32),
        )
        side.gateway, side.taskside = "10.88.0.1", "169.254.170.2"
        holder = await runtime.create_sandbox(name="h", labels={}, ports=[], bind_host="")
        rt = {
            "containers": [{"name": "app"}],
            "taskRoleArn": "arn:aws:iam::0:role/r",
            "sandbox": holder.id if sandbox_exists else "gone",
        }
        await side.enter({"taskArn": ARN}, rt)
        return side.environment({"taskArn": ARN}, rt, "app"), runtime.joined, holder.id

    return asyncio.run(main())


def test_a_task_with_a_role_joins_the_taskside_network_and_is_served_there():
    env, joined, holder = _with_taskside(sandbox_exists=True)
    assert joined == {holder}
    uri = env["AWS_CONTAINER_CREDENTIALS_FULL_URI"]
    assert uri.startswith("http://169.254.170.2:4600/v2/credentials/")
    assert env["ECS_CONTAINER_METADATA_URI_V4"].startswith("http://169.254.170.2:4600/v4/")


def test_a_holder_that_cannot_join_falls_back_to_the_gateway():
    env, joined, _holder = _with_taskside(sandbox_exists=False)
    assert joined == set()
    assert env["AWS_CONTAINER_CREDENTIALS_FULL_URI"].startswith("http://10.88.0.1:4600/")

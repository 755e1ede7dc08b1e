"""DockerRuntime against a real engine: what the task controller relies on.

Each test names the behaviour it checks and asserts it on real containers made from
the local test image (busybox); nothing here reaches a registry or leaves loopback.
"""

from __future__ import annotations

import asyncio
import subprocess
import time
import urllib.request
from typing import Any

import pytest

from ecsd.runtime import pause
from ecsd.runtime.base import (
    ContainerStartError,
    ContainerState,
    ImagePullError,
    RuntimeUnavailable,
)
from ecsd.runtime.docker import DockerRuntime

from .conftest import IMAGE, Engine

pytestmark = pytest.mark.docker

HTTPD = ["httpd", "-f", "-p", "8080", "-h", "/www"]
NS = 1_000_000_000


def wait_state(engine: Engine, cid: str, done: Any, timeout: float = 20.0) -> ContainerState:
    """Poll inspect until done(state) holds."""
    deadline = time.monotonic() + timeout
    while True:
        state = engine.run(engine.rt.inspect(cid))
        assert state is not None
        if done(state):
            return state
        if time.monotonic() > deadline:
            raise AssertionError(f"container never got there: {state}")
        time.sleep(0.1)


def exited(state: ContainerState) -> bool:
    return not state.running and state.finished_at is not None


def http_get(port: int, timeout: float = 10.0) -> bytes:
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2) as r:
                return r.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)


# -- sandboxes ---------------------------------------------------------------------------
def test_containers_in_one_sandbox_share_localhost(engine: Engine) -> None:
    sandbox = engine.sandbox()
    engine.start(engine.spec("web", HTTPD, sandbox))
    client = engine.start(
        engine.spec(
            "client",
            [
                "sh",
                "-c",
                (
                    "for i in $(seq 50); do wget -q -O- http://localhost:8080/ "
                    "&& exit 0; sleep 0.1; done; exit 1"
                ),
            ],
            sandbox,
        )
    )
    state = wait_state(engine, client, exited)
    assert state.exit_code == 0
    lines = engine.run(_collect(engine.rt.logs(client)))
    assert any("hello from ecsd-test/busybox" in line for _, _, line in lines)


def test_sandbox_publishes_ports_on_loopback_with_engine_chosen_host_ports(engine: Engine) -> None:
    sandbox = engine.sandbox([(8080, "tcp"), (8081, "tcp"), (8080, "tcp")])
    assert [(b.container_port, b.protocol, b.host_ip) for b in sandbox.bindings] == [
        (8080, "tcp", "127.0.0.1"),
        (8081, "tcp", "127.0.0.1"),
    ]
    assert all(b.host_port > 0 for b in sandbox.bindings)
    assert sandbox.ip and sandbox.id
    engine.start(engine.spec("web", HTTPD, sandbox))
    assert b"hello from ecsd-test/busybox" in http_get(sandbox.bindings[0].host_port)


def test_sandbox_holder_keeps_running_and_goes_on_forced_removal(engine: Engine) -> None:
    sandbox = engine.sandbox()
    time.sleep(1.0)
    state = engine.run(engine.rt.inspect(sandbox.id))
    assert state is not None and state.running
    assert state.image in (pause.IMAGE, f"docker.io/{pause.IMAGE}")  # Podman qualifies it
    assert state.labels["ecsd.managed"] == "true"
    began = time.monotonic()
    engine.run(engine.rt.remove(sandbox.id))
    assert time.monotonic() - began < 5
    assert engine.run(engine.rt.inspect(sandbox.id)) is None
    engine.run(engine.rt.remove(sandbox.id))  # removing again is fine


def test_sandbox_stops_at_once_despite_ignoring_sigterm(engine: Engine) -> None:
    sandbox = engine.sandbox()
    began = time.monotonic()
    engine.run(engine.rt.stop(sandbox.id, 30))
    assert time.monotonic() - began < 5, "the holder is stopped with SIGKILL"
    assert not wait_state(engine, sandbox.id, exited).running


def test_create_sandbox_again_with_the_same_name_reuses_it(engine: Engine) -> None:
    first = engine.sandbox([(8080, "tcp")])
    again = engine.sandbox([(8080, "tcp")])
    assert again.id == first.id and again.bindings == first.bindings


def test_pause_image_is_built_locally_for_the_engine(engine: Engine) -> None:
    engine.sandbox()
    out = subprocess.run(
        [
            "docker",
            "image",
            "inspect",
            "--format",
            "{{.Architecture}} {{json .Config.Entrypoint}}",
            pause.IMAGE,
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert pause.normalize_arch(out[0]) is not None
    assert out[1] == '["/pause"]'


def test_holder_image_removed_behind_our_back_is_imported_again(engine: Engine) -> None:
    before = engine.sandbox(what="before")  # the runtime has made sure of the image once
    old = engine.run(engine.rt.inspect(before.id)).image_id  # type: ignore[union-attr]
    subprocess.run(["docker", "rmi", "-f", pause.IMAGE], capture_output=True, check=True)
    again = engine.sandbox(what="after")
    assert engine.run(engine.rt.inspect(again.id)).running  # type: ignore[union-attr]
    engine.run(engine.rt.remove(before.id))  # leave no untagged holder image behind
    subprocess.run(["docker", "rmi", old], capture_output=True, check=False)


# -- container lifecycle -------------------------------------------------------------------
def test_exit_code_and_times_are_reported(engine: Engine) -> None:
    cid = engine.start(engine.spec("exit3", ["sh", "-c", "exit 3"]))
    state = wait_state(engine, cid, exited)
    assert state.exit_code == 3 and state.status == "exited" and not state.oom_killed
    # Both times are set (the engine may stamp the end a hair before the start).
    assert state.started_at and state.finished_at
    assert abs(state.finished_at - state.started_at) < 10
    assert state.name == engine.name("exit3")


def test_created_but_never_started_has_no_exit_code(engine: Engine) -> None:
    cid = engine.run(engine.rt.create_container(engine.spec("idle", ["true"])))
    state = engine.run(engine.rt.inspect(cid))
    assert state is not None
    assert state.status == "created" and state.exit_code is None and state.started_at is None


def test_create_container_is_idempotent_by_name(engine: Engine) -> None:
    spec = engine.spec("twice", ["true"])
    assert engine.run(engine.rt.create_container(spec)) == engine.run(
        engine.rt.create_container(spec)
    )


def test_labels_env_and_user_reach_the_container(engine: Engine) -> None:
    cid = engine.start(
        engine.spec(
            "env", ["sh", "-c", 'echo "$GREETING $(id -u)"'], env={"GREETING": "hi"}, user="65534"
        )
    )
    wait_state(engine, cid, exited)
    lines = engine.run(_collect(engine.rt.logs(cid)))
    assert [line for _, _, line in lines] == ["hi 65534"]
    state = engine.run(engine.rt.inspect(cid))
    assert state is not None and state.labels["ecsd.test-container"] == "env"


def test_limits_and_options_reach_the_engine(engine: Engine) -> None:
    cid = engine.start(
        engine.spec(
            "limited",
            [
                "sh",
                "-c",
                (
                    "ulimit -n; touch /ro 2>/dev/null || echo read-only; "
                    "touch /scratch/ok && echo tmpfs-writable; "
                    "echo pid1=$(cat /proc/1/comm)"
                ),
            ],
            memory_bytes=64 * 1024 * 1024,
            memory_reservation_bytes=32 * 1024 * 1024,
            nano_cpus=250_000_000,
            cpu_shares=256,
            readonly_rootfs=True,
            init=True,
            ulimits=[{"name": "nofile", "soft": 100, "hard": 200}],
            tmpfs={"/scratch": "size=1m"},
            stop_timeout=7,
            working_dir="/www",
        )
    )
    wait_state(engine, cid, exited)
    lines = [line for _, _, line in engine.run(_collect(engine.rt.logs(cid)))]
    assert lines == ["100", "read-only", "tmpfs-writable", "pid1=docker-init"]
    fields = (
        "{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} "
        "{{.HostConfig.MemoryReservation}} {{.HostConfig.NanoCpus}} "
        "{{.HostConfig.CpuShares}} {{.Config.StopTimeout}} {{.Config.WorkingDir}}"
    )
    out = subprocess.run(
        ["docker", "inspect", "--format", fields, cid], capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [str(64 << 20), str(64 << 20), str(32 << 20), "250000000", "256", "7", "/www"]


def test_missing_executable_is_a_start_error_with_the_engine_message(engine: Engine) -> None:
    cid = engine.run(engine.rt.create_container(engine.spec("nope", ["/no/such/binary"])))
    with pytest.raises(ContainerStartError) as info:
        engine.run(engine.rt.start(cid))
    assert str(info.value).startswith("Error response from daemon: ")
    assert "/no/such/binary" in str(info.value)


def test_memory_limit_overrun_is_an_oom_kill_with_exit_137(engine: Engine) -> None:
    cid = engine.start(
        engine.spec(
            "oom",
            ["sh", "-c", "x=$(yes | head -c 200000000); echo survived"],
            memory_bytes=16 * 1024 * 1024,
        )
    )
    state = wait_state(engine, cid, exited, timeout=60)
    assert state.oom_killed
    assert state.exit_code == 137


def test_health_check_turns_healthy(engine: Engine) -> None:
    sandbox = engine.sandbox()
    cid = engine.start(
        engine.spec(
            "web",
            HTTPD,
            sandbox,
            healthcheck={
                "test": ["CMD-SHELL", "wget -q -O- http://localhost:8080/ >/dev/null"],
                "interval": NS // 2,
                "timeout": 2 * NS,
                "retries": 2,
                "start_period": 0,
            },
        )
    )
    assert engine.run(engine.rt.inspect(cid)).health == "starting"  # type: ignore[union-attr]
    assert wait_state(engine, cid, lambda s: s.health == "healthy").running


def test_health_check_turns_unhealthy(engine: Engine) -> None:
    cid = engine.start(
        engine.spec(
            "sick",
            ["sleep", "60"],
            healthcheck={
                "test": ["CMD-SHELL", "exit 1"],
                "interval": NS // 2,
                "timeout": NS,
                "retries": 2,
                "start_period": 0,
            },
        )
    )
    assert wait_state(engine, cid, lambda s: s.health == "unhealthy").running


def test_no_health_check_means_no_health(engine: Engine) -> None:
    cid = engine.start(engine.spec("plain", ["sleep", "60"], healthcheck={"test": ["NONE"]}))
    assert engine.run(engine.rt.inspect(cid)).health is None  # type: ignore[union-attr]


def test_stop_kills_after_the_timeout_when_sigterm_is_ignored(engine: Engine) -> None:
    cid = engine.start(
        engine.spec(
            "stubborn", ["sh", "-c", "trap '' TERM; echo ready; while true; do sleep 0.1; done"]
        )
    )
    wait_state(engine, cid, lambda s: s.running)
    _wait_log(engine, cid, "ready")
    began = time.monotonic()
    engine.run(engine.rt.stop(cid, 2))
    took = time.monotonic() - began
    assert 1.8 <= took < 8, took
    assert wait_state(engine, cid, exited).exit_code == 137


def test_stop_with_sigterm_handled_exits_at_once(engine: Engine) -> None:
    cid = engine.start(
        engine.spec(
            "polite", ["sh", "-c", "trap 'exit 0' TERM; echo ready; while true; do sleep 0.1; done"]
        )
    )
    _wait_log(engine, cid, "ready")
    began = time.monotonic()
    engine.run(engine.rt.stop(cid, 30))
    assert time.monotonic() - began < 5
    assert wait_state(engine, cid, exited).exit_code == 0
    engine.run(engine.rt.stop(cid, 30))  # stopping a stopped container is fine


def test_kill_and_remove_are_idempotent(engine: Engine) -> None:
    cid = engine.start(engine.spec("victim", ["sleep", "60"]))
    engine.run(engine.rt.kill(cid))
    assert wait_state(engine, cid, exited).exit_code == 137
    engine.run(engine.rt.kill(cid))
    engine.run(engine.rt.remove(cid))
    engine.run(engine.rt.remove(cid))
    assert engine.run(engine.rt.inspect(cid)) is None


def test_named_volumes_are_shared_and_removed_only_when_unused(engine: Engine) -> None:
    volume = engine.name("vol")
    writer = engine.start(
        engine.spec("writer", ["sh", "-c", "echo kept > /data/f"], binds=[f"{volume}:/data:rw"])
    )
    wait_state(engine, writer, exited)
    reader = engine.start(
        engine.spec("reader", ["sh", "-c", "cat /data/f; sleep 60"], binds=[f"{volume}:/data:ro"])
    )
    _wait_log(engine, reader, "kept")
    engine.run(engine.rt.remove(writer))
    engine.run(engine.rt.remove_volumes([volume]))  # still used by the reader: kept
    assert _volume_exists(volume)
    engine.run(engine.rt.remove(reader))
    engine.run(engine.rt.remove_volumes([volume, engine.name("never-made")]))
    assert not _volume_exists(volume)


def _volume_exists(name: str) -> bool:
    return (
        subprocess.run(
            ["docker", "volume", "inspect", name], capture_output=True, check=False
        ).returncode
        == 0
    )


# -- images ----------------------------------------------------------------------------
def test_local_image_is_used_without_a_pull(engine: Engine) -> None:
    info = engine.run(engine.rt.ensure_image(IMAGE))
    assert info.id.startswith("sha256:")
    # Docker gives an imported image no repository digest; Podman makes one up.
    assert info.digest is None or info.digest.startswith("sha256:")


def test_unreachable_registry_fails_fast_with_the_engines_answer(engine: Engine) -> None:
    began = time.monotonic()
    with pytest.raises(ImagePullError) as info:
        engine.run(engine.rt.ensure_image("127.0.0.1:9/nope/app:1"))
    assert time.monotonic() - began < 10
    message = str(info.value)
    assert message.startswith(
        "pull image manifest has been retried 1 time(s): "
        "failed to resolve ref 127.0.0.1:9/nope/app:1: "
    )
    assert "connection refused" in message


def test_concurrent_pulls_of_one_ref_share_one_attempt(engine: Engine) -> None:
    async def both() -> list[Any]:
        return await asyncio.gather(
            *(engine.rt.ensure_image("127.0.0.1:9/nope/app:2") for _ in range(3)),
            return_exceptions=True,
        )

    results = engine.run(both())
    assert all(isinstance(r, ImagePullError) for r in results)
    assert results[0] is results[1] is results[2]


# -- finding containers again -------------------------------------------------------------------
def test_list_by_label_finds_exited_containers_after_a_restart(engine: Engine) -> None:
    sandbox = engine.sandbox()
    done = engine.start(engine.spec("done", ["sh", "-c", "exit 4"], sandbox))
    live = engine.start(engine.spec("live", ["sleep", "60"], sandbox))
    wait_state(engine, done, exited)

    async def fresh_list() -> list[ContainerState]:  # a new runtime, as after a restart
        rt = DockerRuntime()
        try:
            return await rt.list(engine.labels)
        finally:
            await rt.close()

    found = {s.id: s for s in engine.run(fresh_list())}
    assert set(found) == {sandbox.id, done, live}
    assert found[done].exit_code == 4 and not found[done].running
    assert found[live].running and found[live].exit_code is None
    only = engine.run(engine.rt.list({**engine.labels, "ecsd.test-container": "done"}))
    assert [s.id for s in only] == [done]
    # The sweep's cheap form: the same containers, names and labels, in one request.
    refs = {r.id: r for r in engine.run(engine.rt.labelled(engine.labels))}
    assert set(refs) == set(found)
    assert refs[done].name == found[done].name
    assert refs[done].labels == found[done].labels


# -- streams ------------------------------------------------------------------------------
def test_events_report_a_die_with_the_containers_labels(engine: Engine) -> None:
    async def scenario() -> tuple[str, list[tuple[str, str, dict[str, str]]]]:
        seen: list[tuple[str, str, dict[str, str]]] = []
        stream = engine.rt.events()
        started = asyncio.Event()

        async def watch() -> None:
            async for event in stream:
                seen.append(event)
                if event[1] == "die":
                    return

        watcher = asyncio.create_task(watch())
        started.set()
        await asyncio.sleep(0.5)  # let the stream connect before the container runs
        cid = await engine.rt.create_container(engine.spec("dies", ["sh", "-c", "exit 7"]))
        await engine.rt.start(cid)
        await asyncio.wait_for(watcher, 20)
        return cid, seen

    cid, seen = engine.run(scenario())
    ours = [(action, attrs) for c, action, attrs in seen if c == cid]
    assert [a for a, _ in ours][-1] == "die"
    assert "start" in [a for a, _ in ours]
    attrs = ours[-1][1]
    assert attrs["exitCode"] == "7" and attrs["ecsd.test-run"] == engine.run_id


def test_events_stream_closes_when_the_consumer_leaves(engine: Engine) -> None:
    async def scenario() -> None:
        task = asyncio.create_task(_drain(engine.rt.events()))
        await asyncio.sleep(0.3)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task

    began = time.monotonic()
    engine.run(scenario())
    assert time.monotonic() - began < 5


def test_logs_follow_with_timestamps_sources_and_resume(engine: Engine) -> None:
    cid = engine.start(
        engine.spec(
            "talker",
            ["sh", "-c", "for i in 1 2 3 4 5 6; do echo out $i; echo err $i >&2; sleep 0.2; done"],
        )
    )
    lines = engine.run(asyncio.wait_for(_collect(engine.rt.logs(cid)), 30))
    assert [line for _, src, line in lines if src == "stdout"] == [f"out {i}" for i in range(1, 7)]
    assert [line for _, src, line in lines if src == "stderr"] == [f"err {i}" for i in range(1, 7)]
    for source in ("stdout", "stderr"):  # in order within a stream (not across them)
        stamps = [ts for ts, src, _ in lines if src == source]
        assert stamps == sorted(stamps) and stamps[-1] - stamps[0] >= 5 * 200 - 50
    assert abs(lines[0][0] / 1000 - time.time()) < 60
    # A follower that resumes after the 3rd stdout line gets only what came later.
    third = next(ts for ts, _, line in lines if line == "out 3")
    later = engine.run(_collect(engine.rt.logs(cid, since_ms=third + 1)))
    assert [line for _, src, line in later if src == "stdout"] == ["out 4", "out 5", "out 6"]
    assert all(ts > third for ts, _, _ in later)


def test_logs_follow_yields_lines_as_they_come_and_ends_on_exit(engine: Engine) -> None:
    cid = engine.start(
        engine.spec("slow", ["sh", "-c", "echo first; sleep 2; echo second; printf 'no newline'"])
    )

    async def scenario() -> tuple[float, list[str]]:
        began = time.monotonic()
        got: list[str] = []
        first_at = 0.0
        async for _, _, line in engine.rt.logs(cid):
            if not got:
                first_at = time.monotonic() - began
            got.append(line)
        return first_at, got

    first_at, got = engine.run(asyncio.wait_for(scenario(), 30))
    assert first_at < 1.5, "the first line arrives before the container ends"
    assert got == ["first", "second", "no newline"]


def test_long_lines_come_back_whole(engine: Engine) -> None:
    cid = engine.start(
        engine.spec("long", ["sh", "-c", "head -c 40000 /dev/zero | tr '\\0' x; echo; echo after"])
    )
    wait_state(engine, cid, exited)
    lines = [line for _, _, line in engine.run(_collect(engine.rt.logs(cid)))]
    assert lines == ["x" * 40000, "after"]


# -- no engine --------------------------------------------------------------------------
@pytest.mark.parametrize("call", ["ping", "list", "sandbox"])
def test_no_engine_is_runtime_unavailable_naming_the_socket(tmp_path: Any, call: str) -> None:
    url = f"unix://{tmp_path}/no-docker.sock"

    async def attempt() -> None:
        rt = DockerRuntime(url)
        try:
            if call == "ping":
                await rt.ping()
            elif call == "list":
                await rt.list({})
            else:
                await rt.create_sandbox(name="x", labels={}, ports=[], bind_host="127.0.0.1")
        finally:
            await rt.close()

    with pytest.raises(RuntimeUnavailable) as info:
        asyncio.run(attempt())
    assert str(info.value) == (
        f"no container runtime reachable at {url}: No such file or directory"
    )


# -- helpers ------------------------------------------------------------------------------
async def _collect(stream: Any) -> list[Any]:
    return [item async for item in stream]


async def _drain(stream: Any) -> None:
    async for _ in stream:
        pass


def _wait_log(engine: Engine, cid: str, text: str) -> None:
    async def first() -> None:
        async for _, _, line in engine.rt.logs(cid):
            if text in line:
                return

    engine.run(asyncio.wait_for(first(), 20))

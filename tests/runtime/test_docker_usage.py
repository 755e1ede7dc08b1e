"""`DockerRuntime.usage` on the real engine: one-shot samples of running containers whose
CPU deltas say how busy they were; containers that are gone or stopped give none."""

from __future__ import annotations

import time

from .conftest import Engine

BUSY = ["sh", "-c", "while :; do :; done"]
IDLE = ["sleep", "600"]


def test_two_samples_measure_a_busy_loop_and_an_idle_container(engine: Engine) -> None:
    # Limited to a quarter of a CPU, as a 256-unit Fargate task is.
    busy = engine.start(engine.spec("busy", BUSY, nano_cpus=250_000_000))
    idle = engine.start(engine.spec("idle", IDLE))
    stopped = engine.start(engine.spec("stopped", ["true"]))
    time.sleep(1.0)
    ids = [busy, idle, stopped, "0" * 64]
    first = engine.run(engine.rt.usage(ids))
    time.sleep(2.0)
    second = engine.run(engine.rt.usage(ids))
    assert set(first) == set(second) == {busy, idle}  # exited and missing: no sample

    def vcpus(cid: str) -> float:
        a, b = first[cid], second[cid]
        return (b.cpu_ns - a.cpu_ns) / (b.system_ns - a.system_ns) * b.online_cpus

    assert 0.15 < vcpus(busy) <= 0.3
    assert vcpus(idle) < 0.02
    assert second[idle].memory_bytes > 0

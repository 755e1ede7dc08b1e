"""Task start: RunTask → RUNNING (as DescribeTasks shows it) beside `docker run -d -p`.

One run measures, on the same engine and image:
  - 20 tasks one after another and 20 at once, each a one-container task with one port
    mapping, timed from the RunTask call until DescribeTasks says RUNNING;
  - the baseline: `docker run -d -p 127.0.0.1::8080` of the same image and command, 20
    one after another and 20 at once, timed until the CLI returns (the container runs);
  - ecsd's resident memory idle and with 50 running tasks.
It prints medians, p95 and the ratios against the targets (median ≤ 1.25×, p95 ≤ 2×,
≤ 2 MB of ecsd memory per running task). Needs a Docker engine and the test image
(scripts/prepare-docker.sh, scripts/build-test-images.sh).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from server_process import EcsdProcess  # noqa: E402

IMAGE = "ecsd-test/busybox:latest"
COMMAND = ["httpd", "-f", "-p", "8080", "-h", "/www"]
NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-bench"]}}


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def rss_mib(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def client(server: EcsdProcess) -> Any:
    return boto3.client(
        "ecs",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=Config(retries={"max_attempts": 1}, max_pool_connections=64),
    )


def start_tasks(ecs: Any, n: int, parallel: bool) -> tuple[list[str], list[float]]:
    """Start n tasks (all at once, or each after the previous is RUNNING) and time each
    from its RunTask call until DescribeTasks shows it RUNNING. One poller describes every
    pending task per call, as a user watching several tasks would."""

    def start() -> tuple[str, float]:
        t0 = time.perf_counter()
        arn = ecs.run_task(
            taskDefinition="bench", launchType="FARGATE", networkConfiguration=NETWORK
        )["tasks"][0]["taskArn"]
        return arn, t0

    def wait(started: dict[str, float]) -> dict[str, float]:
        done: dict[str, float] = {}
        while len(done) < len(started):
            pending = [a for a in started if a not in done]
            for task in ecs.describe_tasks(tasks=pending[:100])["tasks"]:
                if task["lastStatus"] == "RUNNING":
                    done[task["taskArn"]] = time.perf_counter() - started[task["taskArn"]]
                elif task["lastStatus"] == "STOPPED":
                    raise RuntimeError(f"task stopped: {task.get('stoppedReason')}")
            time.sleep(0.005)
        return done

    if parallel:
        with ThreadPoolExecutor(n) as pool:
            started = dict(pool.map(lambda _: start(), range(n)))
        done = wait(started)
    else:
        done = {}
        for _ in range(n):
            arn, t0 = start()
            done.update(wait({arn: t0}))
    return list(done), list(done.values())


def docker_run() -> tuple[str, float]:
    t0 = time.perf_counter()
    out = subprocess.run(
        ["docker", "run", "-d", "-p", "127.0.0.1::8080", IMAGE, *COMMAND],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip(), time.perf_counter() - t0


def stop_all(ecs: Any, arns: list[str]) -> None:
    for arn in arns:
        ecs.stop_task(task=arn)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        tasks = ecs.describe_tasks(tasks=arns[:100])["tasks"] if arns else []
        if all(t["lastStatus"] == "STOPPED" for t in tasks):
            return
        time.sleep(0.2)


def measure(fn: Any, n: int, parallel: bool) -> tuple[list[str], list[float]]:
    if parallel:
        with ThreadPoolExecutor(n) as pool:
            results = list(pool.map(lambda _: fn(), range(n)))
    else:
        results = [fn() for _ in range(n)]
    return [r[0] for r in results], [r[1] for r in results]


def row(name: str, ecsd: list[float], docker: list[float]) -> bool:
    med, p95 = statistics.median(ecsd), pct(ecsd, 0.95)
    base_med, base_p95 = statistics.median(docker), pct(docker, 0.95)
    ok = med / base_med <= 1.25 and p95 / base_p95 <= 2.0
    print(
        f"{name:<22} {med * 1000:8.0f} {p95 * 1000:8.0f} {base_med * 1000:10.0f} "
        f"{base_p95 * 1000:10.0f} {med / base_med:9.2f}x {p95 / base_p95:8.2f}x  "
        f"{'PASS' if ok else 'FAIL'}"
    )
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--memory-tasks", type=int, default=50)
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as tmp:
        server = EcsdProcess(Path(tmp) / "data").start()
        try:
            ecs = client(server)
            ecs.create_cluster()
            ecs.register_task_definition(
                family="bench",
                requiresCompatibilities=["FARGATE"],
                networkMode="awsvpc",
                cpu="256",
                memory="512",
                containerDefinitions=[
                    {
                        "name": "web",
                        "image": IMAGE,
                        "command": COMMAND,
                        "stopTimeout": 1,
                        "portMappings": [{"containerPort": 8080}],
                    }
                ],
            )
            # Warm-up: the holder image is built on first use, and both paths get a run.
            arns, _ = start_tasks(ecs, 2, False)
            stop_all(ecs, arns)
            ids, _ = measure(docker_run, 2, False)
            subprocess.run(["docker", "rm", "-f", *ids], capture_output=True)

            results: dict[str, tuple[list[float], list[float]]] = {}
            for label, parallel in (("one after another", False), ("all at once", True)):
                arns, ecsd_times = start_tasks(ecs, args.count, parallel)
                stop_all(ecs, arns)
                ids, docker_times = measure(docker_run, args.count, parallel)
                subprocess.run(["docker", "rm", "-f", *ids], capture_output=True)
                results[label] = (ecsd_times, docker_times)

            assert server.proc is not None
            idle = rss_mib(server.proc.pid)
            arns, _ = start_tasks(ecs, args.memory_tasks, False)
            time.sleep(2)
            loaded = rss_mib(server.proc.pid)
            stop_all(ecs, arns)
        finally:
            server.stop()

    print(f"\nRunTask → RUNNING vs docker run -d -p ({args.count} each; ms)")
    print(
        f"{'':<22} {'median':>8} {'p95':>8} {'docker med':>10} {'docker p95':>10} "
        f"{'median':>10} {'p95':>9}"
    )
    ok = all([row(label, *times) for label, times in results.items()])
    per_task = (loaded - idle) / args.memory_tasks
    mem_ok = per_task <= 2.0
    print(
        f"\necsd resident memory: idle {idle:.1f} MiB, with {args.memory_tasks} running "
        f"tasks {loaded:.1f} MiB → {per_task:.2f} MiB per task (target ≤ 2)  "
        f"{'PASS' if mem_ok else 'FAIL'}"
    )
    print(f"targets: median ≤ 1.25× and p95 ≤ 2× docker run: {'PASS' if ok else 'FAIL'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

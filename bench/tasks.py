"""Task start: RunTask → RUNNING (as DescribeTasks shows it) beside `docker run -d -p`.

One run measures, on the same engine and image:
  - 20 tasks one after another and 20 at once, each a one-container task with one port
    mapping, timed from the RunTask call until DescribeTasks says RUNNING;
  - the baseline: `docker run -d -p 127.0.0.1::8080` of the same image and command, 20
    one after another and 20 at once, timed until the CLI returns (the container runs);
  - ecsd's resident memory idle and with 50 running tasks;
  - with `--at-scale N` (e.g. 400) instead: N tasks running, then 10 RunTask → RUNNING one
    after another beside 10 `docker run`, and the Docker Engine API requests ecsd makes,
    per RunTask and per minute at rest. ecsd then talks to Docker through a counting
    proxy (a Unix socket in front of /var/run/docker.sock that counts HTTP request
    lines), so the count is the engine's view, whatever ecsd version runs: run the bench
    from another tree's root (`cd OLD && python NEW/bench/tasks.py --at-scale 400`) to
    measure that tree's ecsd.
It prints medians, p95 and the ratios against the targets (median ≤ 1.25×, p95 ≤ 2×,
≤ 2 MB of ecsd memory per running task). Needs a Docker engine and the test image
(scripts/prepare-docker.sh, scripts/build-test-images.sh).
"""

from __future__ import annotations

import argparse
import asyncio
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
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


DOCKER_SOCKET = "/var/run/docker.sock"
# A request line anywhere in what ecsd sends (bodies are JSON, never contain one).
_REQUEST = re.compile(rb"(GET|POST|PUT|DELETE|HEAD) (/[^ ?]*)[^ ]* HTTP/1\.[01]\r\n")
_VERSION = re.compile(rb"^/v1\.\d+")
_ID = re.compile(rb"/[0-9a-f]{64}")


class CountingProxy:
    """A Unix socket forwarding to the Docker socket, counting the HTTP requests sent
    through it (by method and path, ids and API version removed)."""

    def __init__(self, path: Path, target: str = DOCKER_SOCKET) -> None:
        self.path = path
        self.target = target
        self.counts: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def total(self) -> int:
        with self._lock:
            return sum(self.counts.values())

    def snapshot(self) -> Counter[str]:
        with self._lock:
            return Counter(self.counts)

    def start(self) -> CountingProxy:
        self._thread.start()
        self._ready.wait(10)
        return self

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(5)

    def _serve(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(asyncio.start_unix_server(self._handle, str(self.path)))
        self._ready.set()
        self._loop.run_forever()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_unix_connection(self.target)

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter, count: bool) -> None:
            carry = b""
            try:
                while data := await src.read(65536):
                    if count:
                        window = carry + data
                        found = [
                            f"{m[1].decode()} {_ID.sub(b'/ID', _VERSION.sub(b'', m[2])).decode()}"
                            for m in _REQUEST.finditer(window)
                            if m.end() > len(carry)
                        ]
                        if found:
                            with self._lock:
                                self.counts.update(found)
                        carry = window[-512:]
                    dst.write(data)
                    await dst.drain()
            except (ConnectionError, OSError):
                pass
            finally:
                dst.close()

        await asyncio.gather(pump(reader, up_writer, True), pump(up_reader, writer, False))


def start_many(ecs: Any, n: int) -> list[str]:
    """n running tasks, ten per RunTask, a few calls at once."""

    def batch(k: int) -> list[str]:
        answer = ecs.run_task(
            taskDefinition="bench", launchType="FARGATE", networkConfiguration=NETWORK, count=k
        )
        return [t["taskArn"] for t in answer["tasks"]]

    sizes = [min(10, n - i) for i in range(0, n, 10)]
    with ThreadPoolExecutor(4) as pool:
        arns = [a for b in pool.map(batch, sizes) for a in b]
    deadline = time.monotonic() + 60 + n
    pending = set(arns)
    while pending and time.monotonic() < deadline:
        waiting = sorted(pending)
        for i in range(0, len(waiting), 100):
            for task in ecs.describe_tasks(tasks=waiting[i : i + 100])["tasks"]:
                if task["lastStatus"] == "RUNNING":
                    pending.discard(task["taskArn"])
                elif task["lastStatus"] == "STOPPED":
                    raise RuntimeError(f"task stopped: {task.get('stoppedReason')}")
        time.sleep(0.5)
    if pending:
        raise RuntimeError(f"{len(pending)} of {n} tasks not RUNNING in time")
    return arns


def stop_many(ecs: Any, arns: list[str]) -> None:
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda a: ecs.stop_task(task=a), arns))
    deadline = time.monotonic() + 120 + len(arns) / 2
    while time.monotonic() < deadline:
        left = [
            t
            for i in range(0, len(arns), 100)
            for t in ecs.describe_tasks(tasks=arns[i : i + 100])["tasks"]
            if t["lastStatus"] != "STOPPED"
        ]
        if not left:
            return
        time.sleep(1)


def remove_leftovers(data_dir: Path) -> None:
    """Whatever the run left (it failed halfway, say): every container of that ecsd."""
    instance = (data_dir / "instance-id").read_text().strip()
    ids = subprocess.run(
        ["docker", "ps", "-aq", "--filter", f"label=ecsd.instance={instance}"],
        capture_output=True,
        text=True,
    ).stdout.split()
    if ids:
        subprocess.run(["docker", "rm", "-f", *ids], capture_output=True)


def prepare(ecs: Any) -> None:
    """The cluster and the one-container task definition every row runs."""
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


def at_scale(n: int, runs: int = 10, rest_seconds: float = 150.0) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        proxy = CountingProxy(Path(tmp) / "docker.sock").start()
        server = EcsdProcess(
            Path(tmp) / "data", None, "--docker-host", f"unix://{proxy.path}"
        ).start()
        arns: list[str] = []
        try:
            ecs = client(server)
            prepare(ecs)
            t0 = time.perf_counter()
            arns = start_many(ecs, n)
            print(f"{n} tasks RUNNING in {time.perf_counter() - t0:.0f} s", flush=True)
            time.sleep(5)
            before = proxy.snapshot()
            time.sleep(rest_seconds)
            at_rest = proxy.snapshot() - before
            rest = sum(at_rest.values()) * 60 / rest_seconds
            before = proxy.snapshot()
            started, times = start_tasks(ecs, runs, False)
            used = proxy.snapshot() - before
            arns += started
            ids, docker_times = measure(docker_run, runs, False)
            subprocess.run(["docker", "rm", "-f", *ids], capture_output=True)
        finally:
            if arns:
                stop_many(ecs, arns)
            server.stop()
            proxy.stop()
            remove_leftovers(server.data_dir)
    per_run = sum(used.values()) / runs
    print(f"\nWith {n} tasks running ({runs} RunTask one after another; ms)")
    print(
        f"{'':<22} {'median':>8} {'p95':>8} {'docker med':>10} {'docker p95':>10} "
        f"{'median':>10} {'p95':>9}"
    )
    row(f"at {n} running", times, docker_times)
    print(f"Docker API requests per RunTask → RUNNING: {per_run:.1f}")
    for what, k in used.most_common(8):
        print(f"    {k / runs:8.1f}  {what}")
    print(f"Docker API requests per minute at rest with {n} tasks: {rest:.0f}")
    for what, k in at_rest.most_common(4):
        print(f"    {k * 60 / rest_seconds:8.1f}  {what}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--count", type=int, default=20)
    parser.add_argument("--memory-tasks", type=int, default=50)
    parser.add_argument(
        "--at-scale",
        type=int,
        default=0,
        metavar="N",
        help="instead: latency and Docker API requests per RunTask with N tasks running",
    )
    parser.add_argument(
        "--rest-seconds",
        type=float,
        default=150.0,
        help="with --at-scale: how long to count requests at rest (the safety-net look "
        "at each running task comes every 120 s, the sweep every 60 s)",
    )
    args = parser.parse_args(argv)
    if args.at_scale:
        return at_scale(args.at_scale, rest_seconds=args.rest_seconds)

    with tempfile.TemporaryDirectory() as tmp:
        server = EcsdProcess(Path(tmp) / "data").start()
        try:
            ecs = client(server)
            prepare(ecs)
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

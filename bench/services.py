"""Services: a rolling deployment against plain `docker run`/`docker stop`, and the cost of
many services at steady state.

    .venv/bin/python bench/services.py            # the full run (about 4–5 minutes)
    .venv/bin/python bench/services.py --quick    # a smoke check (about 1 minute)

One run starts `ecsd serve` (fresh data dir, free loopback port, log level WARNING) and
measures, on the same engine and image:

1. Rollout. A service of 10 Fargate tasks (`ecsd-test/busybox:latest`, a shell that exits
   at once on SIGTERM, no health checks, deploymentConfiguration 200/100) at steady
   state is updated to a new revision (another environment variable). Timed from the
   UpdateService call until DescribeServices shows one deployment, COMPLETED,
   runningCount == desiredCount == 10, and DescribeTasks shows every old task STOPPED.
   Baseline, in the same run: the same 10 containers started with `docker run -d` (10 at
   once) and 10 stopped with `docker stop` (10 at once). Docker's own view of each
   container (created → started, from `docker inspect`; SIGTERM → exit, from `docker
   events`) splits the rollout into Docker's share, ecsd's deliberate wait before a new
   task without health checks counts healthy (`--task-healthy-after`, 1 s) and the rest,
   the scheduler's overhead (see `Rollout.overhead`).
2. Many services. 200 services × 2 tasks (20 with --quick) brought to steady state, left
   10 s to settle, then ecsd's CPU over 30 s as % of one core (target ≤ 2 %; baseline: the
   same ecsd idle with no service, measured the same way before anything was created),
   and DescribeServices latency from 4 concurrent clients (bench/loadgen.py), 1,000
   calls of 10 services each and 1,000 of 1 service (target p99 ≤ 50 ms).

It exits 0 whether or not targets are met (it is a measurement) and 1 if something that
should have worked did not (a service that never became steady, a non-2xx answer). On
any exit it resets ecsd (which removes its containers) and stops it.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from importlib.metadata import version
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from servers import Ecsd  # noqa: E402
from wire import Builder  # noqa: E402

IMAGE = "ecsd-test/busybox:latest"
# PID 1 is the shell: SIGTERM runs the trap and the container exits at once.
COMMAND = ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]
NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-bench"]}}
TASK_LABEL = "com.amazonaws.ecs.task-arn"
BASELINE_LABEL = "ecsd-bench-services"
HEALTHY_AFTER = 1.0  # ecsd serve's default --task-healthy-after
POLL = 0.05  # seconds between DescribeServices polls during a rollout
_TICKS = os.sysconf("SC_CLK_TCK")


# ------------------------------------------------------------------------------ helpers


def docker_time(value: str) -> float:
    """Docker's RFC 3339 time with nanoseconds → epoch seconds (µs kept)."""
    if not value or value.startswith("0001-"):
        return float("nan")
    head, _, frac = value.rstrip("Z").partition(".")
    digits = "".join(ch for ch in frac if ch.isdigit())
    # an offset instead of Z would follow the digits; Docker writes UTC with Z
    base = datetime.fromisoformat(head + "+00:00").timestamp()
    return base + (int(digits[:9].ljust(9, "0")) / 1e9 if digits else 0.0)


def epoch(value: Any) -> float:
    """An ecsd timestamp as boto3 returns it (datetime) → epoch seconds."""
    if value is None:
        return float("nan")
    return value.timestamp() if isinstance(value, datetime) else float(value)


def proc_cpu(pid: int) -> tuple[float, int]:
    """CPU seconds of a process (its threads, and children it has waited for) and its
    parent's pid."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    ppid = int(fields[1])
    return sum(int(x) for x in fields[11:15]) / _TICKS, ppid


def tree_cpu(pid: int) -> float:
    """CPU seconds of a process and every live descendant (ecsd runs none today; if it
    ever does, they count)."""
    parents: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                _, ppid = proc_cpu(int(entry))
            except (OSError, ValueError, IndexError):
                continue
            parents.setdefault(ppid, []).append(int(entry))
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            total += proc_cpu(p)[0]
        except (OSError, ValueError, IndexError):
            continue
        todo.extend(parents.get(p, []))
    return total


def pidof(name: str) -> int | None:
    out = subprocess.run(["pidof", name], check=False, capture_output=True, text=True)
    pids = out.stdout.split()
    return int(pids[0]) if pids else None


def docker(*args: str, check: bool = True) -> str:
    out = subprocess.run(["docker", *args], check=False, capture_output=True, text=True)
    if check and out.returncode != 0:
        raise RuntimeError(f"docker {' '.join(args[:3])} …: {out.stderr.strip()}")
    return out.stdout


def inspect(ids: list[str]) -> dict[str, dict[str, Any]]:
    if not ids:
        return {}
    return {c["Id"]: c for c in json.loads(docker("inspect", *ids))}


def post(url: str, timeout: float) -> None:
    # ecsd's admin writes refuse form content types (its CSRF guard): say what is sent.
    req = urllib.request.Request(
        url, method="POST", data=b"", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=timeout):
        pass


class Events:
    """`docker events` for the containers of ECS tasks, followed from the start of the
    run: the first time of each action (create, start, kill, die, destroy) per
    container, and each container's task ARN. Containers are removed at DEPROVISIONING,
    so the old tasks' stop times can only be had this way (or by racing the removal)."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen(
            [
                "docker",
                "events",
                "--filter",
                "type=container",
                "--filter",
                f"label={TASK_LABEL}",
                "--format",
                "{{json .}}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        self.lock = threading.Lock()
        self.times: dict[str, dict[str, float]] = {}
        self.by_task: dict[str, str] = {}
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            try:
                ev = json.loads(line)
            except ValueError:
                continue
            cid = ev.get("id") or ev.get("Actor", {}).get("ID")
            action = (ev.get("Action") or ev.get("status") or "").split(":")[0]
            when = int(ev.get("timeNano") or 0) / 1e9 or float(ev.get("time") or 0)
            attrs = ev.get("Actor", {}).get("Attributes", {})
            with self.lock:
                self.times.setdefault(cid, {}).setdefault(action, when)
                if attrs.get(TASK_LABEL):
                    self.by_task[attrs[TASK_LABEL]] = cid

    def container(self, task_arn: str) -> str | None:
        with self.lock:
            return self.by_task.get(task_arn)

    def at(self, cid: str | None, action: str) -> float:
        with self.lock:
            return self.times.get(cid or "", {}).get(action, float("nan"))

    def wait_for(self, arns: list[str], action: str, timeout: float = 10.0) -> None:
        """Let the events of actions that have happened reach us (the pipe lags a little)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not any(math.isnan(self.at(self.container(a), action)) for a in arns):
                return
            time.sleep(0.02)

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=5)


# ------------------------------------------------------------------------------ rollout


@dataclass
class Rollout:
    """One UpdateService, as the client saw it and as ecsd and Docker recorded it. Times
    are epoch seconds; `t0` is just before the UpdateService call."""

    t0: float
    observed: float  # the first poll that found it stable
    new_created: list[float]  # Docker .Created of the new containers
    new_started: list[float]  # Docker .State.StartedAt
    new_running: list[float]  # ecsd's startedAt (the task RUNNING)
    old_stopping: list[float]  # ecsd's stoppingAt (the scheduler's request)
    old_kill: list[float]  # Docker's kill event (SIGTERM sent)
    old_die: list[float]  # Docker's die event (the container exited)
    old_stopped: list[float]  # ecsd's stoppedAt (task STOPPED)
    completed: float  # the deployment's updatedAt once COMPLETED

    @property
    def total(self) -> float:
        return self.observed - self.t0

    @property
    def docker_start(self) -> float:
        """Docker's share of the start phase: the slowest new container's created →
        started (the ten are created at once, as in the baseline)."""
        return max(s - c for s, c in zip(self.new_started, self.new_created, strict=True))

    @property
    def docker_stop(self) -> float:
        """Docker's share of the stop phase: the slowest old container's SIGTERM sent →
        exited."""
        return max(d - k for d, k in zip(self.old_die, self.old_kill, strict=True))

    @property
    def overhead(self) -> float:
        """The scheduler's own time on the critical path. The ten pairs run in parallel,
        so with a free scheduler the rollout would last the slowest container start, then
        the healthy wait, then the slowest container stop; everything else from
        UpdateService to the stable state is ecsd's: the API call, the scheduler's
        passes, the task controller's steps and store writes before it calls Docker,
        noticing that containers started and exited, removing them, marking tasks
        STOPPED, and (≤ POLL) the client's polling.

        It is the sum of four segments between the critical path's milestones (printed
        as 1–4): UpdateService → the last new container's StartedAt, less docker_start;
        → the last old task's stoppingAt, less the healthy wait; → the last old
        container's exit, less docker_stop; → the stable state seen by the client."""
        return self.total - self.docker_start - HEALTHY_AFTER - self.docker_stop


def register(ecs: Any, family: str, revision_tag: str) -> str:
    return str(
        ecs.register_task_definition(
            family=family,
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
            containerDefinitions=[
                {
                    "name": "app",
                    "image": IMAGE,
                    "command": COMMAND,
                    "essential": True,
                    "environment": [{"name": "BENCH_REVISION", "value": revision_tag}],
                }
            ],
        )["taskDefinition"]["taskDefinitionArn"]
    )


def steady(svc: dict[str, Any]) -> bool:
    deps = svc.get("deployments") or []
    return (
        len(deps) == 1
        and deps[0].get("rolloutState") == "COMPLETED"
        and svc["runningCount"] == svc["desiredCount"]
        and deps[0]["runningCount"] == svc["desiredCount"]
    )


def wait_steady(
    ecs: Any,
    cluster: str,
    names: list[str],
    timeout: float,
    interval: float = 1.0,
    progress: bool = False,
) -> float:
    """Poll DescribeServices (10 per call) until every service is steady; seconds taken."""
    t0 = time.monotonic()
    pending = list(names)
    last_print = t0
    while pending:
        if time.monotonic() - t0 > timeout:
            raise RuntimeError(
                f"{len(pending)} of {len(names)} services not steady after "
                f"{timeout:.0f} s, e.g. {describe_brief(ecs, cluster, pending[0])}"
            )
        still: list[str] = []
        for i in range(0, len(pending), 10):
            batch = pending[i : i + 10]
            got = ecs.describe_services(cluster=cluster, services=batch)
            if got.get("failures"):
                raise RuntimeError(f"DescribeServices failures: {got['failures'][:2]}")
            still.extend(s["serviceName"] for s in got["services"] if not steady(s))
        pending = still
        if progress and time.monotonic() - last_print >= 15:
            last_print = time.monotonic()
            print(
                f"  … {len(names) - len(pending)}/{len(names)} services steady after "
                f"{last_print - t0:.0f} s",
                flush=True,
            )
        if pending:
            time.sleep(interval)
    return time.monotonic() - t0


def describe_brief(ecs: Any, cluster: str, name: str) -> str:
    s = ecs.describe_services(cluster=cluster, services=[name])["services"][0]
    return json.dumps(
        {
            "service": name,
            "running": s["runningCount"],
            "pending": s["pendingCount"],
            "desired": s["desiredCount"],
            "deployments": [
                (d["status"], d.get("rolloutState"), d["runningCount"], d["pendingCount"])
                for d in s["deployments"]
            ],
            "events": [e["message"] for e in s.get("events", [])[:3]],
        }
    )


def service_tasks(ecs: Any, cluster: str, name: str) -> list[str]:
    return list(
        ecs.list_tasks(cluster=cluster, serviceName=name, desiredStatus="RUNNING")["taskArns"]
    )


def rollout(
    ecs: Any, events: Events, cluster: str, name: str, taskdef: str, timeout: float
) -> Rollout:
    old = service_tasks(ecs, cluster, name)
    t0 = time.time()
    ecs.update_service(cluster=cluster, service=name, taskDefinition=taskdef)
    deadline = time.monotonic() + timeout
    while True:
        svc = ecs.describe_services(cluster=cluster, services=[name])["services"][0]
        if (
            steady(svc)
            and svc["desiredCount"] == len(old)
            and all(
                t["lastStatus"] == "STOPPED"
                for t in ecs.describe_tasks(cluster=cluster, tasks=old)["tasks"]
            )
        ):
            observed = time.time()
            break
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"rollout not stable after {timeout:.0f} s: {describe_brief(ecs, cluster, name)}"
            )
        time.sleep(POLL)
    new = service_tasks(ecs, cluster, name)
    events.wait_for(old, "die")
    tasks = {t["taskArn"]: t for t in ecs.describe_tasks(cluster=cluster, tasks=old + new)["tasks"]}
    new_ids = [events.container(a) for a in new]
    if None in new_ids:  # should not happen: fall back to what ecsd reports
        new_ids = [tasks[a]["containers"][0].get("runtimeId") for a in new]
    seen = inspect([i for i in new_ids if i])
    old_ids = [events.container(a) for a in old]
    return Rollout(
        t0=t0,
        observed=observed,
        new_created=[docker_time(seen[i]["Created"]) for i in new_ids if i],
        new_started=[docker_time(seen[i]["State"]["StartedAt"]) for i in new_ids if i],
        new_running=[epoch(tasks[a].get("startedAt")) for a in new],
        old_stopping=[epoch(tasks[a].get("stoppingAt")) for a in old],
        old_kill=[events.at(i, "kill") for i in old_ids],
        old_die=[events.at(i, "die") for i in old_ids],
        old_stopped=[epoch(tasks[a].get("stoppedAt")) for a in old],
        completed=epoch(svc["deployments"][0].get("updatedAt")),
    )


@dataclass
class Baseline:
    run: float  # 10 × `docker run -d` at once, until the last returned
    stop: float  # 10 × `docker stop` at once, until the last returned
    docker_start: float  # slowest created → started, as in Rollout
    docker_stop: float  # slowest stop: FinishedAt − the moment `docker stop` was called

    @property
    def total(self) -> float:
        return self.run + self.stop


def baseline(n: int, tag: str) -> Baseline:
    """The same containers (image, command, environment, limits as ecsd gives a Fargate
    task of 256 CPU / 512 MiB) by hand: all started at once, then all stopped at once."""

    def run_one(_: int) -> str:
        return docker(
            "run",
            "-d",
            "--label",
            f"{BASELINE_LABEL}={tag}",
            "--memory",
            "512m",
            "--cpus",
            "0.25",
            "-e",
            "BENCH_REVISION=baseline",
            IMAGE,
            *COMMAND,
        ).strip()

    ids: list[str] = []
    try:
        t0 = time.perf_counter()
        with ThreadPoolExecutor(n) as pool:
            ids = list(pool.map(run_one, range(n)))
        run = time.perf_counter() - t0
        seen = inspect(ids)
        docker_start = max(
            docker_time(c["State"]["StartedAt"]) - docker_time(c["Created"]) for c in seen.values()
        )
        asked = time.time()
        t0 = time.perf_counter()
        with ThreadPoolExecutor(n) as pool:
            list(pool.map(lambda i: docker("stop", i), ids))
        stop = time.perf_counter() - t0
        seen = inspect(ids)
        docker_stop = max(docker_time(c["State"]["FinishedAt"]) - asked for c in seen.values())
        return Baseline(run, stop, docker_start, docker_stop)
    finally:
        if ids:
            docker("rm", "-f", *ids, check=False)


# ------------------------------------------------------------------------- many services


def cpu_percent(pid: int, seconds: float, dockerd: int | None) -> tuple[float, float]:
    """% of one core used by the process (and its descendants) over `seconds`; and by
    dockerd over the same window (nan if it cannot be read)."""

    def dockerd_cpu() -> float:
        try:
            return proc_cpu(dockerd)[0] if dockerd else float("nan")
        except OSError:
            return float("nan")

    c0, d0, t0 = tree_cpu(pid), dockerd_cpu(), time.monotonic()
    time.sleep(seconds)
    c1, d1, t1 = tree_cpu(pid), dockerd_cpu(), time.monotonic()
    return 100 * (c1 - c0) / (t1 - t0), 100 * (d1 - d0) / (t1 - t0)


def loadgen(url: str, wires: list[Any], total: int, concurrency: int) -> dict[str, Any]:
    """Exactly `total` requests (cycling `wires`) from bench/loadgen.py, its own process."""
    job = {
        "url": url,
        "requests": [w.job() for w in wires],
        "concurrency": concurrency,
        "total": total,
    }
    out = subprocess.run(
        [sys.executable, str(HERE / "loadgen.py")],
        input=json.dumps(job),
        check=False,
        capture_output=True,
        text=True,
    )
    if out.returncode != 0 or not out.stdout:
        raise RuntimeError(f"load generator failed: {out.stderr[-2000:]}")
    return dict(json.loads(out.stdout))


# --------------------------------------------------------------------------------- main


@dataclass
class Figures:
    rollouts: list[Rollout] = field(default_factory=list)
    baselines: list[Baseline] = field(default_factory=list)
    idle_cpu: float = float("nan")
    idle_dockerd: float = float("nan")
    many_steady_seconds: float = float("nan")
    many_start_cpu: float = float("nan")  # ecsd's CPU-seconds while bringing them up
    many_cpu: float = float("nan")
    many_dockerd: float = float("nan")
    latency: dict[str, dict[str, Any]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)


def med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def print_rollouts(args: argparse.Namespace, fig: Figures) -> None:
    rs, bs = fig.rollouts, fig.baselines
    print()
    print(
        f"== Rollout of a service of {args.tasks} tasks to a new revision "
        f"(200/100, no health checks), {len(rs)} rollout(s); seconds, median over "
        "rollouts =="
    )
    print("when (from the UpdateService call)                  median      each")
    rows: list[tuple[str, list[float]]] = [
        ("first new container created (Docker)", [min(r.new_created) - r.t0 for r in rs]),
        ("last new container started (Docker)", [max(r.new_started) - r.t0 for r in rs]),
        ("last new task RUNNING (ecsd startedAt)", [max(r.new_running) - r.t0 for r in rs]),
        (
            f"  … + {HEALTHY_AFTER:g} s healthy wait",
            [max(r.new_running) + HEALTHY_AFTER - r.t0 for r in rs],
        ),
        ("first old task asked to stop (stoppingAt)", [min(r.old_stopping) - r.t0 for r in rs]),
        ("last old task asked to stop (stoppingAt)", [max(r.old_stopping) - r.t0 for r in rs]),
        ("last SIGTERM sent (Docker kill event)", [max(r.old_kill) - r.t0 for r in rs]),
        ("last old container exited (Docker die)", [max(r.old_die) - r.t0 for r in rs]),
        ("deployment COMPLETED (its updatedAt)", [r.completed - r.t0 for r in rs]),
        ("last old task STOPPED (stoppedAt)", [max(r.old_stopped) - r.t0 for r in rs]),
        (f"stable, seen by the client (poll {POLL * 1000:.0f} ms)", [r.total for r in rs]),
    ]
    for label, values in rows:
        print(f"  {label:<48} {med(values):7.2f}   " + " ".join(f"{v:6.2f}" for v in values))
    print()
    print("split of the total (critical path; see Rollout.overhead)")
    split: list[tuple[str, list[float]]] = [
        ("total, UpdateService → stable", [r.total for r in rs]),
        ("Docker: slowest new container created → started", [r.docker_start for r in rs]),
        ("ecsd: healthy wait (--task-healthy-after, deliberate)", [HEALTHY_AFTER for _ in rs]),
        ("Docker: slowest old container SIGTERM → exited", [r.docker_stop for r in rs]),
        ("ecsd: scheduler overhead (the rest)", [r.overhead for r in rs]),
        (
            "  1 start: → last container started, − Docker's share",
            [max(r.new_started) - r.t0 - r.docker_start for r in rs],
        ),
        (
            "  2 swap: → last old task asked to stop, − the wait",
            [max(r.old_stopping) - max(r.new_started) - HEALTHY_AFTER for r in rs],
        ),
        (
            "  3 stop: → last old container exited, − Docker's share",
            [max(r.old_die) - max(r.old_stopping) - r.docker_stop for r in rs],
        ),
        ("  4 clean-up: → stable, seen by the client", [r.observed - max(r.old_die) for r in rs]),
    ]
    for label, values in split:
        print(f"  {label:<54} {med(values):7.2f}   " + " ".join(f"{v:6.2f}" for v in values))
    print()
    print(
        f"baseline: {args.tasks} × docker run -d at once, then {args.tasks} × docker stop "
        "at once (seconds, median)"
    )
    for label, values in (
        ("docker run -d ×N (wall)", [b.run for b in bs]),
        ("  slowest created → started", [b.docker_start for b in bs]),
        ("docker stop ×N (wall)", [b.stop for b in bs]),
        ("  slowest stop called → exited", [b.docker_stop for b in bs]),
        ("baseline total", [b.total for b in bs]),
    ):
        print(f"  {label:<54} {med(values):7.2f}   " + " ".join(f"{v:6.2f}" for v in values))


def print_many(args: argparse.Namespace, fig: Figures) -> None:
    print()
    print(
        f"== {args.services} services × {args.per_service} tasks at steady state "
        f"({args.services * args.per_service} containers; all steady after "
        f"{fig.many_steady_seconds:.0f} s) =="
    )
    ok = fig.many_cpu <= args.target_cpu
    n = args.services * args.per_service
    print(
        f"bringing them up: {fig.many_steady_seconds:.0f} s from the first CreateService "
        f"to all steady, ecsd used {fig.many_start_cpu:.1f} CPU-s "
        f"({1000 * fig.many_start_cpu / n:.0f} ms per task)"
    )
    print(
        f"ecsd CPU over {args.cpu_seconds:g} s: idle, no services {fig.idle_cpu:5.2f} %  "
        f"→ with {args.services} services {fig.many_cpu:5.2f} % of one core "
        f"(target ≤ {args.target_cpu:g} %)  {'PASS' if ok else 'FAIL'}"
    )
    print(
        f"dockerd CPU in the same windows (for reference): idle {fig.idle_dockerd:5.2f} %  "
        f"→ {fig.many_dockerd:5.2f} %  (the engine is shared with anything else on the "
        "machine)"
    )
    print(f"DescribeServices, {args.clients} concurrent clients (ms)")
    for label, data in fig.latency.items():
        ok = data["p99"] * 1000 <= args.target_p99
        print(
            f"  {label:<28} {data['count']:>5} calls  p50 {data['p50'] * 1000:6.2f}  "
            f"p99 {data['p99'] * 1000:6.2f}  max {data['max'] * 1000:6.2f}  "
            f"{data['rate']:6.0f} calls/s  (target p99 ≤ {args.target_p99:g})  "
            f"{'PASS' if ok else 'FAIL'}"
        )


def print_summary(args: argparse.Namespace, fig: Figures) -> None:
    print()
    print("== Summary ==")
    if fig.rollouts and fig.baselines:
        total = med([r.total for r in fig.rollouts])
        base = med([b.total for b in fig.baselines])
        over = med([r.overhead for r in fig.rollouts])
        print(
            f"rollout of {args.tasks}: {total:.2f} s vs docker run+stop {base:.2f} s "
            f"→ {total / base:.2f}x ({(total - HEALTHY_AFTER) / base:.2f}x without the "
            f"{HEALTHY_AFTER:g} s healthy wait); scheduler overhead {over:.2f} s"
        )
    if fig.many_cpu == fig.many_cpu:
        print(
            f"{args.services}×{args.per_service} steady: ecsd CPU {fig.many_cpu:.2f} % "
            f"(idle {fig.idle_cpu:.2f} %; target ≤ {args.target_cpu:g} %) "
            f"{'PASS' if fig.many_cpu <= args.target_cpu else 'FAIL'}"
        )
    for label, data in fig.latency.items():
        print(
            f"DescribeServices {label}: p50 {data['p50'] * 1000:.2f} ms, p99 "
            f"{data['p99'] * 1000:.2f} ms (target ≤ {args.target_p99:g}) "
            f"{'PASS' if data['p99'] * 1000 <= args.target_p99 else 'FAIL'}"
        )
    if fig.problems:
        print(f"ERRORS ({len(fig.problems)}):")
        for p in fig.problems:
            print(f"  - {p}")
    else:
        print("Errors: none.")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--quick",
        action="store_true",
        help="1 rollout, 20 services, 10 s CPU window, 200 calls per row",
    )
    p.add_argument("--tasks", type=int, default=10, help="tasks of the rolled service")
    p.add_argument(
        "--rollouts",
        type=int,
        default=None,
        help="rollouts (each beside a baseline round; default 3, 1 with --quick)",
    )
    p.add_argument(
        "--services",
        type=int,
        default=None,
        help="services for part 2 (default 200; 20 with --quick)",
    )
    p.add_argument("--per-service", type=int, default=2)
    p.add_argument(
        "--settle",
        type=float,
        default=None,
        help="seconds between steady state and the CPU window (default 10; 5 with --quick)",
    )
    p.add_argument(
        "--cpu-seconds", type=float, default=None, help="CPU window (default 30; 10 with --quick)"
    )
    p.add_argument(
        "--calls",
        type=int,
        default=None,
        help="DescribeServices calls per row (default 1000; 200 with --quick)",
    )
    p.add_argument("--clients", type=int, default=4)
    p.add_argument(
        "--steady-timeout",
        type=float,
        default=900.0,
        help="seconds for all services of part 2 to become steady",
    )
    p.add_argument("--target-cpu", type=float, default=2.0, help="% of one core")
    p.add_argument("--target-p99", type=float, default=50.0, help="ms")
    p.add_argument("--skip-rollout", action="store_true")
    p.add_argument("--skip-many", action="store_true")
    p.add_argument("--keep", action="store_true", help="keep the data dir and server log")
    args = p.parse_args(argv)
    q = args.quick
    args.rollouts = args.rollouts or (1 if q else 3)
    args.services = args.services or (20 if q else 200)
    args.settle = (5.0 if q else 10.0) if args.settle is None else args.settle
    args.cpu_seconds = args.cpu_seconds or (10.0 if q else 30.0)
    args.calls = args.calls or (200 if q else 1000)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    fig = Figures()
    workdir = Path(tempfile.mkdtemp(prefix="ecsd-bench-services-"))
    tag = f"{os.getpid()}-{int(time.time())}"
    cluster = f"bench-services-{tag}"
    events = Events()
    server: Ecsd | None = None
    started = time.monotonic()
    try:
        server = Ecsd(workdir)
        ecs = boto3.client(
            "ecs",
            endpoint_url=server.url,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
            config=Config(retries={"max_attempts": 1}, max_pool_connections=64),
        )
        dockerd = pidof("dockerd")
        print(
            f"ecsd {version('ecsd')}; Python {platform.python_version()}, "
            f"{os.cpu_count()} CPUs shared by ecsd, Docker and this client; "
            f"{len(docker('ps', '-q').split())} containers already running on the engine "
            f"(load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())})",
            flush=True,
        )

        # Idle baseline first, before anything exists (the same window as part 2's).
        time.sleep(args.settle)
        fig.idle_cpu, fig.idle_dockerd = cpu_percent(server.pid, args.cpu_seconds, dockerd)
        print(f"idle CPU measured ({time.monotonic() - started:.0f} s)", flush=True)

        ecs.create_cluster(clusterName=cluster)
        family = f"bench-svc-{os.getpid()}"
        revisions = [register(ecs, family, str(i)) for i in range(args.rollouts + 1)]

        if not args.skip_rollout:
            name = "rolled"
            ecs.create_service(
                cluster=cluster,
                serviceName=name,
                taskDefinition=revisions[0],
                desiredCount=args.tasks,
                launchType="FARGATE",
                networkConfiguration=NETWORK,
            )
            wait_steady(ecs, cluster, [name], timeout=300, interval=0.2)
            baseline(2, tag)  # warm-up: the engine's first containers of the run
            for i in range(args.rollouts):
                fig.baselines.append(baseline(args.tasks, tag))
                time.sleep(1)
                fig.rollouts.append(
                    rollout(ecs, events, cluster, name, revisions[i + 1], timeout=300)
                )
                print(
                    f"rollout {i + 1}/{args.rollouts}: {fig.rollouts[-1].total:.2f} s, "
                    f"baseline {fig.baselines[-1].total:.2f} s "
                    f"({time.monotonic() - started:.0f} s)",
                    flush=True,
                )
                time.sleep(1)
            ecs.delete_service(cluster=cluster, service=name, force=True)

        if not args.skip_many:
            names = [f"svc-{i:03d}" for i in range(args.services)]
            t0, cpu0 = time.monotonic(), tree_cpu(server.pid)

            def create(n: str) -> None:
                ecs.create_service(
                    cluster=cluster,
                    serviceName=n,
                    taskDefinition=revisions[0],
                    desiredCount=args.per_service,
                    launchType="FARGATE",
                    networkConfiguration=NETWORK,
                )

            with ThreadPoolExecutor(16) as pool:
                list(pool.map(create, names))
            print(
                f"{args.services} services created in {time.monotonic() - t0:.1f} s; "
                "waiting for steady state",
                flush=True,
            )
            wait_steady(
                ecs, cluster, names, timeout=args.steady_timeout, interval=2.0, progress=True
            )
            fig.many_steady_seconds = time.monotonic() - t0
            fig.many_start_cpu = tree_cpu(server.pid) - cpu0
            print(
                f"all steady after {fig.many_steady_seconds:.0f} s; settling "
                f"{args.settle:g} s, then CPU for {args.cpu_seconds:g} s",
                flush=True,
            )
            time.sleep(args.settle)
            fig.many_cpu, fig.many_dockerd = cpu_percent(server.pid, args.cpu_seconds, dockerd)
            # Still steady after the window? (a task that died in it would be replaced)
            wait_steady(ecs, cluster, names, timeout=1.0, interval=1.0)

            builder = Builder(server.url)
            rows = {
                "10 services per call": [names[i : i + 10] for i in range(0, len(names), 10)],
                "1 service per call": [[n] for n in names],
            }
            for label, batches in rows.items():
                wires = [
                    builder.build("DescribeServices", {"cluster": cluster, "services": b})
                    for b in batches
                ]
                check = ecs.describe_services(cluster=cluster, services=batches[0])
                if check.get("failures") or len(check["services"]) != len(batches[0]):
                    fig.problems.append(f"DescribeServices {label}: {check.get('failures')}")
                data = loadgen(server.url, wires, args.calls, args.clients)
                errors = sum(data["errors"].values()) + sum(data["errors_outside"].values())
                if errors:
                    fig.problems.append(
                        f"DescribeServices {label}: {errors} errors, e.g. "
                        f"{data['error_samples'][:2]}"
                    )
                fig.latency[label] = data
    except Exception as exc:  # noqa: BLE001 — report, clean up, exit 1
        fig.problems.append(f"{type(exc).__name__}: {exc}")
    finally:
        if server is not None:
            try:
                post(f"{server.url}/_ecsd/reset", timeout=600)
            except OSError as exc:
                fig.problems.append(f"reset failed: {exc}")
            server.stop()
        events.close()
        # Whatever this run left (a reset that failed, the baseline's containers).
        for label in (f"com.amazonaws.ecs.cluster={cluster}", f"{BASELINE_LABEL}={tag}"):
            left = docker("ps", "-aq", "--filter", f"label={label}", check=False).split()
            if left:
                docker("rm", "-f", *left, check=False)
                fig.problems.append(f"{len(left)} containers left behind ({label}); removed")
        if args.keep:
            print(f"data and log kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)

    if fig.rollouts:
        print_rollouts(args, fig)
    if fig.latency or fig.many_cpu == fig.many_cpu:
        print_many(args, fig)
    print_summary(args, fig)
    print(
        f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}; "
        f"{time.monotonic() - started:.0f} s in all"
    )
    return 1 if fig.problems else 0


if __name__ == "__main__":
    sys.exit(main())

"""ecsd's API throughput and latency next to moto's, measured in one run on one machine.

    .venv/bin/python bench/api.py            # the full run (about 2 minutes)
    .venv/bin/python bench/api.py --quick    # a smoke check (about 35 seconds)

Both servers are started here, on free loopback ports, and driven by the same load
generator (bench/loadgen.py, its own process, 16 concurrent connections replaying
requests built once by botocore — bench/wire.py) for the same warm-up and duration, in
rounds that alternate the servers, so the ratios compare like with like. Two parts:

1. Throughput: DescribeTaskDefinition, ListTaskDefinitions (a page of 100, with 100
   registered) and RegisterTaskDefinition (a Fargate task definition), req/s and p50/p99
   latency on each server. Target: ecsd ≥ 1.5× moto's req/s on every row.
2. Data size: ListTaskDefinitions latency (one client) for the first page of 100 with 100
   and with 10,000 registered revisions, plus a page from the middle (by nextToken).
   The two states are two instances of the same server, measured in alternating rounds.
   Target: p50 at 10,000 ≤ 1.2× p50 at 100. Registering the 10,000 through the API is
   timed too (ecsd commits every one durably: synchronous=FULL).

It exits 0 whether or not targets are met (it is a measurement) and 1 if any request
that should have succeeded did not, on either server.

Until ecsd serves RegisterTaskDefinition, `--ops clusters` (what `auto` falls back to)
runs the same rows with DescribeClusters / ListClusters / CreateCluster.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import profiles  # noqa: E402  (bench modules beside this script)
from servers import Ecsd, Moto, Server, cpu_seconds  # noqa: E402
from wire import Builder, Wire  # noqa: E402

TASKDEF_FILE = HERE.parent / "tests" / "data" / "fargate-jikkuri.json"

# The tutorial's task definition, for when tests/data/fargate-jikkuri.json is not there.
FARGATE_TASKDEF: dict[str, Any] = {
    "family": "fargate-jikkuri",
    "networkMode": "awsvpc",
    "requiresCompatibilities": ["FARGATE"],
    "cpu": "256",
    "memory": "512",
    "executionRoleArn": "arn:aws:iam::000000000000:role/ecsTaskExecutionRole",
    "containerDefinitions": [
        {
            "name": "app",
            "image": "ruby:3.2-slim",
            "essential": True,
            "command": ["ruby", "-run", "-e", "httpd", ".", "-p", "3000"],
            "portMappings": [{"containerPort": 3000, "protocol": "tcp"}],
            "logConfiguration": {
                "logDriver": "awslogs",
                "options": {
                    "awslogs-group": "/ecs/fargate-jikkuri",
                    "awslogs-region": "us-east-1",
                    "awslogs-stream-prefix": "app",
                },
            },
        }
    ],
}

Call = tuple[str, dict[str, Any]]


@dataclass
class Workload:
    """The operations behind the rows, for one kind of resource."""

    name: str
    describe: Call
    list_call: Call
    list_key: str  # the list in the List answer
    write: Callable[[int], Call]
    write_distinct: bool  # whether each write needs its own request
    seed: Callable[[int], Call]  # the i-th item to create before reading
    seed_distinct: bool
    noun: str  # "revisions", "clusters"


def taskdef_payload() -> dict[str, Any]:
    """The tutorial's task definition, as `--cli-input-json` takes it (keys the API does
    not take, if the file has any, are left out)."""
    if not TASKDEF_FILE.exists():
        return FARGATE_TASKDEF
    import botocore.session

    shape = (
        botocore.session.get_session()
        .get_service_model("ecs")
        .operation_model("RegisterTaskDefinition")
        .input_shape
    )
    return {k: v for k, v in json.loads(TASKDEF_FILE.read_text()).items() if k in shape.members}


def taskdef_workload() -> Workload:
    payload = taskdef_payload()
    register: Call = ("RegisterTaskDefinition", payload)
    return Workload(
        name="task definitions",
        describe=("DescribeTaskDefinition", {"taskDefinition": payload["family"]}),
        list_call=("ListTaskDefinitions", {"maxResults": 100}),
        list_key="taskDefinitionArns",
        write=lambda i: register,
        write_distinct=False,
        seed=lambda i: register,
        seed_distinct=False,
        noun="revisions",
    )


def cluster_workload() -> Workload:
    return Workload(
        name="clusters",
        describe=("DescribeClusters", {"clusters": ["bench-00000"]}),
        list_call=("ListClusters", {"maxResults": 100}),
        list_key="clusterArns",
        write=lambda i: ("CreateCluster", {"clusterName": f"bench-w-{i:06d}"}),
        write_distinct=True,
        seed=lambda i: ("CreateCluster", {"clusterName": f"bench-{i:05d}"}),
        seed_distinct=True,
        noun="clusters",
    )


@dataclass
class Result:
    server: str
    row: str
    data: dict[str, Any]
    server_cpu: float = float("nan")

    @property
    def rate(self) -> float:
        return float(self.data["rate"])

    @property
    def errors(self) -> int:
        """Failed requests, counted in the window or not (warm-up, tail)."""
        return sum(self.data["errors"].values()) + sum(self.data.get("errors_outside", {}).values())

    def ms(self, key: str) -> float:
        return float(self.data[key]) * 1000


@dataclass
class Run:
    args: argparse.Namespace
    builders: dict[str, Builder] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    profiled: list[tuple[str, Path]] = field(default_factory=list)

    def builder(self, server: Server) -> Builder:
        if server.url not in self.builders:
            self.builders[server.url] = Builder(server.url)
        return self.builders[server.url]

    def wires(self, server: Server, make: Callable[[int], Call], n: int) -> list[Wire]:
        b = self.builder(server)
        return [b.build(*make(i)) for i in range(n)]

    def load(
        self,
        server: Server,
        row: str,
        wires: list[Wire],
        *,
        concurrency: int,
        total: int | None = None,
        duration: float | None = None,
        warmup: float | None = None,
        keep: bool = False,
        tags: list[list[str]] | None = None,
        sequences: list[list[int]] | None = None,
    ) -> Result:
        """One row: the load generator against one server; errors are recorded. `tags`
        (one list per wire) and `sequences` (one list of wire indexes per client) are
        passed on to the load generator (see bench/loadgen.py)."""
        job: dict[str, Any] = {
            "url": server.url,
            "requests": [
                {**w.job(), **({"tags": tags[i]} if tags else {})} for i, w in enumerate(wires)
            ],
            "concurrency": concurrency,
        }
        if sequences is not None:
            job["sequences"] = sequences
        if total is not None:
            job["total"] = total
        else:
            job["warmup"] = self.args.warmup if warmup is None else warmup
            job["duration"] = duration or self.args.duration
        job["keep_latencies"] = keep
        profiler: list[subprocess.Popen[bytes]] = []
        on_start = None
        if self.args.profile and server.name == "ecsd" and total is None:
            # numbered: a row measured in rounds is profiled once per round
            out = self.args.profile / f"{len(self.profiled) + 1:02d}-{slug(row)}.txt"

            def on_start() -> None:
                profiler.append(
                    profiles.start(server.pid, job["duration"], out, self.args.profile_mode)
                )
                self.profiled.append((row, out))

        data, cpu = run_loadgen(job, server.pid, on_start)
        for p in profiler:
            p.wait()
        result = Result(server.name, row, data, cpu)
        if result.errors:
            outside = sum(data.get("errors_outside", {}).values())
            self.problems.append(
                f"{server.name} {row}: {result.errors - outside} of {data['count']} requests "
                f"in the timed window failed {data['errors']}, and {outside} outside it "
                f"{data.get('errors_outside', {})}; e.g. {data['error_samples'][:2]}"
            )
        return result

    def check(self, server: Server, row: str, wire: Wire) -> dict[str, Any] | None:
        """Send one request and insist on 2xx before measuring a row with it."""
        status, body = server.send(wire)
        if not 200 <= status < 300:
            self.problems.append(
                f"{server.name} {row}: check request answered {status}: "
                f"{body[:300].decode(errors='replace')}"
            )
            return None
        return json.loads(body or b"{}")


def slug(row: str) -> str:
    return re.sub(r"[^A-Za-z0-9@]+", "-", row).strip("-")


def run_loadgen(
    job: dict[str, Any], server_pid: int, on_start: Callable[[], None] | None = None
) -> tuple[dict[str, Any], float]:
    """Run bench/loadgen.py on a job; sample the server's CPU time at the window edges
    (and start a profiler there, if asked)."""
    proc = subprocess.Popen(
        [sys.executable, str(HERE / "loadgen.py")],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    marks: dict[str, float] = {}
    stderr_lines: list[str] = []
    out: list[bytes] = []

    def read_stderr() -> None:
        assert proc.stderr is not None
        for raw in proc.stderr:
            line = raw.decode(errors="replace").rstrip()
            if line.startswith("@mark "):
                edge = line.split()[1]
                marks[edge] = cpu_seconds(server_pid)
                if edge == "start" and on_start is not None:
                    on_start()
            else:
                stderr_lines.append(line)

    def read_stdout() -> None:
        assert proc.stdout is not None
        out.append(proc.stdout.read())

    threads = [threading.Thread(target=read_stderr), threading.Thread(target=read_stdout)]
    for t in threads:
        t.start()
    assert proc.stdin is not None
    proc.stdin.write(json.dumps(job).encode())
    proc.stdin.close()
    for t in threads:
        t.join()
    if proc.wait() != 0 or not out or not out[0]:
        raise RuntimeError("load generator failed:\n" + "\n".join(stderr_lines))
    data = json.loads(out[0])
    cpu = float("nan")
    if "start" in marks and "end" in marks and data["elapsed"] > 0:
        cpu = (marks["end"] - marks["start"]) / data["elapsed"]
    return data, cpu


def supports(server: Server, builder: Builder, call: Call) -> bool:
    """Whether the server serves the operation; an error other than 'unknown operation'
    is not a reason to measure something else, so it stops the run."""
    status, body = server.send(builder.build(*call))
    if 200 <= status < 300:
        return True
    if b"UnknownOperation" in body:
        return False
    raise RuntimeError(
        f"{server.name} answered {call[0]} with {status}: {body[:500].decode(errors='replace')}"
    )


def seed(run: Run, server: Server, wl: Workload, start: int, stop: int) -> Result:
    """Create items start..stop-1 through the API, --concurrency at a time, timed."""
    n = stop - start
    if wl.seed_distinct:
        wires = run.wires(server, lambda i: wl.seed(start + i), n)
    else:
        wires = run.wires(server, wl.seed, 1)
    return run.load(
        server, f"seed {start}..{stop}", wires, concurrency=run.args.concurrency, total=n
    )


def throughput(
    run: Run, servers: list[Server], wl: Workload
) -> list[tuple[str, dict[str, Result]]]:
    """Each row on each server, the servers alternating round by round (see alternate)."""
    args = run.args
    describe_row = wl.describe[0]
    list_row = f"{wl.list_call[0]} (page of 100)"
    write_row = wl.write(0)[0]
    for server in servers:
        server.reset()
        seed(run, server, wl, 0, 100)
    reads: list[Target] = []
    for server in servers:
        b = run.builder(server)
        wire = b.build(*wl.describe)
        if run.check(server, describe_row, wire) is not None:
            reads.append((describe_row, server, [wire]))
        wire = b.build(*wl.list_call)
        answer = run.check(server, list_row, wire)
        if answer is not None:
            got = len(answer.get(wl.list_key, []))
            if got != 100:
                run.notes.append(f"{server.name} {list_row}: the page held {got} items, not 100")
            reads.append((list_row, server, [wire]))
    by_row: dict[str, dict[str, Result]] = {describe_row: {}, list_row: {}, write_row: {}}
    for row in (describe_row, list_row):
        targets = [t for t in reads if t[0] == row]
        for (_, server, _), result in zip(
            targets, alternate(run, targets, concurrency=args.concurrency), strict=True
        ):
            by_row[row][server.name] = result
    # Writes last: they change what the reads above would see.
    writes: list[Target] = []
    for server in servers:
        if wl.write_distinct:
            # Enough distinct requests for the whole row at a generous rate.
            n = int((args.warmup + args.duration) * args.write_pool_rate)
            wires = run.wires(server, wl.write, n)
        else:
            wires = [run.builder(server).build(*wl.write(0))]
        if run.check(server, write_row, wires[0]) is not None:
            writes.append((write_row, server, wires))
    for (_, server, _), result in zip(
        writes, alternate(run, writes, concurrency=args.concurrency), strict=True
    ):
        by_row[write_row][server.name] = result
    return [(row, by_row[row]) for row in (describe_row, list_row, write_row)]


@dataclass
class SizeResult:
    server: str
    small: Result | None = None
    large: Result | None = None
    deep: Result | None = None
    seed_seconds: float = 0.0
    seeded: int = 0
    page_items: dict[str, int] = field(default_factory=dict)
    skipped: str = ""


def list_token_at(server: Server, wl: Workload, position: int) -> str | None:
    """The nextToken that starts a page at `position`, found by paging with botocore."""
    import botocore.session
    from botocore import xform_name
    from botocore.config import Config

    client = botocore.session.get_session().create_client(
        "ecs",
        endpoint_url=server.url,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
        config=Config(retries={"max_attempts": 1}),
    )
    op, params = wl.list_call
    method = getattr(client, xform_name(op))
    token: str | None = None
    seen = 0
    while seen < position:
        page = method(**params, **({"nextToken": token} if token else {}))
        seen += len(page[wl.list_key])
        token = page.get("nextToken")
        if not token:
            return None
    return token


def data_size(
    run: Run, servers: list[Server], wl: Workload, start_twin: Callable[[Server], Server]
) -> list[SizeResult]:
    """List latency with 100 and with N items. The two states live in two instances of
    the same server (the running one holding 100, a fresh twin filled to N), so that the
    rows can be measured in alternating rounds: load from elsewhere on the machine then
    falls on both sides of the ratio alike instead of on whichever ran last."""
    args = run.args
    small_n, large_n = 100, args.revisions
    out: list[SizeResult] = []
    for server in servers:
        res = SizeResult(server.name)
        out.append(res)
        server.reset()
        first = seed(run, server, wl, 0, small_n)
        small_wire = run.builder(server).build(*wl.list_call)
        answer = run.check(server, f"list@{small_n}", small_wire)
        if answer is None:
            continue
        res.page_items["small"] = len(answer.get(wl.list_key, []))
        # A reference server that would take minutes to fill is left out of the large
        # side rather than holding the run hostage (estimated from its first 100).
        estimate = first.data["elapsed"] / small_n * large_n
        rows: list[tuple[str, Server, Wire]] = [(f"list@{small_n}", server, small_wire)]
        if server.name != "ecsd" and estimate > args.max_seed_seconds:
            res.skipped = (
                f"skipped: registering {large_n:,} would take about "
                f"{estimate:.0f} s (limit --max-seed-seconds "
                f"{args.max_seed_seconds:.0f})"
            )
        else:
            twin = start_twin(server)
            filled = seed(run, twin, wl, 0, large_n)
            res.seed_seconds, res.seeded = filled.data["elapsed"], large_n
            large_wire = run.builder(twin).build(*wl.list_call)
            answer = run.check(twin, f"list@{large_n}", large_wire)
            if answer is not None:
                res.page_items["large"] = len(answer.get(wl.list_key, []))
                rows.append((f"list@{large_n}", twin, large_wire))
            token = (
                answer.get("nextToken") and list_token_at(twin, wl, large_n // 2)
                if answer is not None
                else None
            )
            if token:
                op, params = wl.list_call
                deep_wire = run.builder(twin).build(op, {**params, "nextToken": token})
                if run.check(twin, "list deep page", deep_wire) is not None:
                    rows.append((f"list@{large_n} page at {large_n // 2}", twin, deep_wire))
            elif server.name == "ecsd":
                run.problems.append(
                    f"ecsd: no nextToken for a page at {large_n // 2:,} of {large_n:,} {wl.noun}"
                )
        merged: list[Result | None] = [
            *alternate(run, [(name, target, [wire]) for name, target, wire in rows], concurrency=1),
            None,
            None,
        ]
        res.small, res.large, res.deep = merged[0], merged[1], merged[2]
    return out


Target = tuple[str, Server, list[Wire]]  # (row, server, requests)


def alternate(run: Run, targets: list[Target], *, concurrency: int) -> list[Result]:
    """Measure the targets in `--rounds` alternating rounds (A B C A B C …) that together
    last `--duration` per target, and merge each target's rounds. Load from elsewhere on
    the machine then falls on every target alike, not on whichever ran while it lasted.
    Only the first round of each target gets the full warm-up; later ones need only
    their new connections opened."""
    args = run.args
    measured: list[list[Result]] = [[] for _ in targets]
    for i in range(args.rounds):
        for (row, server, wires), results in zip(targets, measured, strict=True):
            results.append(
                run.load(
                    server,
                    row,
                    wires,
                    concurrency=concurrency,
                    duration=args.duration / args.rounds,
                    warmup=args.warmup if i == 0 else min(args.warmup, 0.3),
                    keep=True,
                )
            )
    return [merge(results) for results in measured]


def merge(results: list[Result]) -> Result:
    """Rounds of one row as one result: percentiles over all their latencies."""
    from loadgen import percentile

    latencies = sorted(x for r in results for x in r.data.pop("latencies"))
    elapsed = sum(r.data["elapsed"] for r in results)
    errors: dict[str, int] = {}
    outside: dict[str, int] = {}
    for r in results:
        for k, v in r.data["errors"].items():
            errors[k] = errors.get(k, 0) + v
        for k, v in r.data.get("errors_outside", {}).items():
            outside[k] = outside.get(k, 0) + v
    data = {
        "count": len(latencies),
        "elapsed": elapsed,
        "rate": len(latencies) / elapsed if elapsed else 0.0,
        "p50": percentile(latencies, 50),
        "p90": percentile(latencies, 90),
        "p99": percentile(latencies, 99),
        "max": latencies[-1] if latencies else float("nan"),
        "errors": errors,
        "errors_outside": outside,
        "error_samples": [x for r in results for x in r.data["error_samples"]],
        "client_cpu": sum(r.data["client_cpu"] * r.data["elapsed"] for r in results) / elapsed,
        "rounds": len(results),
    }
    cpu = sum(r.server_cpu * r.data["elapsed"] for r in results) / elapsed
    return Result(results[0].server, results[0].row, data, cpu)


# ---------------------------------------------------------------------------- printing


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "FAIL")


def lat(r: Result | None) -> str:
    return "—" if r is None else f"{r.ms('p50'):6.2f} / {r.ms('p99'):6.2f}"


def print_report(
    run: Run, wl: Workload, rows: list[tuple[str, dict[str, Result]]], sizes: list[SizeResult]
) -> None:
    args = run.args
    w = 34
    print()
    print(
        f"== Throughput: {args.concurrency} concurrent clients, {args.duration:g} s per row "
        f"and server after {args.warmup:g} s warm-up, in {args.rounds} rounds alternating "
        f"the servers; 100 {wl.noun} registered =="
    )
    head = (
        f"{'row':<{w}} {'ecsd req/s':>10} {'moto req/s':>10} {'ratio':>7}  "
        f"{'target':>7}  {'ecsd p50/p99 ms':>17}  {'moto p50/p99 ms':>17}  result"
    )
    print(head)
    print("-" * len(head))
    for name, res in rows:
        e, m = res.get("ecsd"), res.get("moto")
        ratio = e.rate / m.rate if e and m and m.rate else None
        ok = (
            None
            if ratio is None
            else (ratio >= args.target_ratio and e is not None and not e.errors)
        )
        print(
            f"{name:<{w}} {e.rate if e else float('nan'):>10.0f} "
            f"{m.rate if m else float('nan'):>10.0f} "
            f"{(f'{ratio:.2f}x' if ratio else '—'):>7}  "
            f"{'≥' + format(args.target_ratio, 'g') + 'x':>7}  "
            f"{lat(e):>17}  {lat(m):>17}  {verdict(ok)}"
        )

    small_n, large_n = 100, args.revisions
    print()
    print(
        f"== {wl.list_call[0]}, one page of 100, 1 client: {small_n} vs {large_n:,} "
        f"{wl.noun} (two instances of each server, {args.rounds} alternating rounds, "
        f"{args.duration:g} s per row) =="
    )
    head = (
        f"{'server':<{w}} {'p50/p99 @' + str(small_n):>17}  "
        f"{'p50/p99 @' + format(large_n, ','):>17}  {'p50 ratio':>9}  {'target':>7}  "
        "result"
    )
    print(head)
    print("-" * len(head))
    for s in sizes:
        label = s.server if s.server == "ecsd" else f"{s.server} (reference)"
        if s.skipped:
            print(f"{label:<{w}} {lat(s.small):>17}  {s.skipped}")
            continue
        for name, large in (
            (f"{label}, first page", s.large),
            (f"{label}, page at {large_n // 2:,} (nextToken)", s.deep),
        ):
            if large is None and name.endswith("(nextToken)"):
                continue
            ratio = (large.ms("p50") / s.small.ms("p50")) if large and s.small else None
            ok = None if ratio is None or s.server != "ecsd" else ratio <= args.target_size
            print(
                f"{name:<{w}} {lat(s.small):>17}  {lat(large):>17}  "
                f"{(f'{ratio:.2f}x' if ratio else '—'):>9}  "
                f"{'≤' + format(args.target_size, 'g') + 'x':>7}  {verdict(ok)}"
            )
    for s in sizes:
        if s.seeded:
            print(
                f"{s.server}: registered {s.seeded:,} {wl.noun} through the API "
                f"({args.concurrency} clients) in {s.seed_seconds:.1f} s = "
                f"{s.seeded / s.seed_seconds:.0f}/s"
            )
        items = s.page_items
        if items and (items.get("small") != 100 or items.get("large", 100) != 100):
            print(
                f"{s.server}: one 'page' held {items.get('small')} items at {small_n} and "
                f"{items.get('large')} at {large_n:,}"
                + (
                    " — moto ignores maxResults for this operation and returns every ARN"
                    if s.server == "moto"
                    else ""
                )
            )
        if s.server == "moto" and s.seeded and 100 < items.get("large", s.seeded) < s.seeded:
            print(
                f"moto: {s.seeded:,} registrations were each answered 2xx, yet it lists "
                f"{items['large']:,}: concurrent registrations can take the same revision "
                "number in moto and overwrite each other"
            )

    print()
    print("== Where the CPU went (CPU-seconds per second during each row) ==")
    print("A client near 1.0 means the load generator, not the server, set the pace.")
    head = f"{'row':<{w}} {'server':>6} {'client CPU':>10} {'server CPU':>10} {'requests':>9}"
    print(head)
    print("-" * len(head))
    starved = False
    for name, res in rows:
        for sname in ("ecsd", "moto"):
            r = res.get(sname)
            if r is not None:
                # Under 16 clients either server keeps one CPU busy (its GIL); much less
                # means it waited — for fsync, or for a CPU other work had taken.
                flag = " *" if r.server_cpu < 0.8 else ""
                starved = starved or bool(flag)
                print(
                    f"{name:<{w}} {sname:>6} {r.data['client_cpu']:>10.2f} "
                    f"{r.server_cpu:>10.2f} {r.data['count']:>9}{flag}"
                )
    for s in sizes:
        for r in (s.small, s.large, s.deep):
            if r is not None:
                print(
                    f"{r.row:<{w}} {s.server:>6} {r.data['client_cpu']:>10.2f} "
                    f"{r.server_cpu:>10.2f} {r.data['count']:>9}"
                )

    if starved:
        print(
            "* the server used under 0.8 CPU with 16 clients: it was waiting (fsync, or a "
            "CPU taken by other work on the machine); such a row understates it"
        )
    print()
    for note in run.notes:
        print(f"note: {note}")
    if run.problems:
        print(f"ERRORS ({len(run.problems)}):")
        for p in run.problems:
            print(f"  - {p}")
    else:
        print("Errors: none (every request answered 2xx on both servers).")


def to_json(
    rows: list[tuple[str, dict[str, Result]]], sizes: list[SizeResult], run: Run
) -> dict[str, Any]:
    def r(x: Result | None) -> dict[str, Any] | None:
        return None if x is None else {**x.data, "server_cpu": x.server_cpu}

    return {
        "args": vars(run.args),
        "throughput": {name: {k: r(v) for k, v in res.items()} for name, res in rows},
        "data_size": [
            {
                "server": s.server,
                "small": r(s.small),
                "large": r(s.large),
                "deep": r(s.deep),
                "seed_seconds": s.seed_seconds,
                "seeded": s.seeded,
                "skipped": s.skipped,
            }
            for s in sizes
        ],
        "problems": run.problems,
        "notes": run.notes,
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument(
        "--duration",
        type=float,
        default=None,
        help="measured seconds per row (default 5; 1 with --quick)",
    )
    p.add_argument(
        "--warmup",
        type=float,
        default=None,
        help="seconds before measuring each row (default 1; 0.3 with --quick)",
    )
    p.add_argument("--concurrency", type=int, default=16)
    p.add_argument(
        "--revisions",
        type=int,
        default=None,
        help="registered items for the data-size part (default 10,000; 1,000 with --quick)",
    )
    p.add_argument(
        "--rounds",
        type=int,
        default=None,
        help="alternating rounds each row's duration is split into (default 5; 2 with --quick)",
    )
    p.add_argument("--quick", action="store_true", help="short rows, 1,000 revisions")
    p.add_argument(
        "--ops",
        choices=("auto", "taskdefs", "clusters"),
        default="auto",
        help="which operations to measure (auto: task definitions if ecsd "
        "serves RegisterTaskDefinition, else clusters)",
    )
    p.add_argument("--target-ratio", type=float, default=1.5)
    p.add_argument("--target-size", type=float, default=1.2)
    p.add_argument(
        "--max-seed-seconds",
        type=float,
        default=180.0,
        help="leave moto out of the data-size part if filling it would take longer",
    )
    p.add_argument(
        "--write-pool-rate",
        type=float,
        default=3000.0,
        help="distinct write requests built per second of a row (clusters only)",
    )
    p.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="sample ecsd with py-spy during each of its timed rows; collapsed "
        "stacks go to DIR/<row>.txt and a summary is printed",
    )
    p.add_argument(
        "--profile-mode",
        choices=("cpu", "gil", "wall"),
        default="cpu",
        help="cpu: threads on a CPU (default); gil: the GIL holder; wall: every "
        "thread, idle too (see bench/profiles.py)",
    )
    p.add_argument("--json", type=Path, help="also write the raw results here")
    p.add_argument("--keep", action="store_true", help="keep the data dir and server logs")
    args = p.parse_args(argv)
    if args.duration is None:
        args.duration = 1.0 if args.quick else 5.0
    if args.warmup is None:
        args.warmup = 0.3 if args.quick else 1.0
    if args.rounds is None:
        args.rounds = 2 if args.quick else 5
    if args.revisions is None:
        args.revisions = 1000 if args.quick else 10000
    if args.revisions <= 100:
        p.error("--revisions must be more than 100")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    run = Run(args)
    workdir = Path(tempfile.mkdtemp(prefix="ecsd-bench-"))
    servers: list[Server] = []
    started = time.monotonic()
    try:
        servers.append(Ecsd(workdir))
        servers.append(Moto(workdir))
        ecsd = servers[0]
        if args.ops == "clusters":
            wl = cluster_workload()
        else:
            wl = taskdef_workload()
            if not supports(ecsd, run.builder(ecsd), wl.seed(0)):
                if args.ops == "taskdefs":
                    print("ecsd does not serve RegisterTaskDefinition yet", file=sys.stderr)
                    return 1
                wl = cluster_workload()
                run.notes.append(
                    "ecsd does not serve RegisterTaskDefinition yet: measured "
                    "cluster operations instead"
                )
        print(
            f"ecsd {version('ecsd')} vs moto {version('moto')} — {wl.name}; "
            f"Python {platform.python_version()}, {os.cpu_count()} CPUs shared by "
            f"client and servers (load average before: "
            f"{', '.join(f'{x:.2f}' for x in os.getloadavg())})",
            flush=True,
        )
        rows = throughput(run, servers, wl)
        print(f"throughput rows done ({time.monotonic() - started:.0f} s)", flush=True)

        def start_twin(server: Server) -> Server:
            twin_dir = workdir / f"twin-{server.name}"
            twin_dir.mkdir(exist_ok=True)
            twin = Ecsd(twin_dir) if server.name == "ecsd" else Moto(twin_dir)
            servers.append(twin)
            return twin

        sizes = data_size(run, servers[:2], wl, start_twin)
        print(f"data-size rows done ({time.monotonic() - started:.0f} s)", flush=True)
        print_report(run, wl, rows, sizes)
        print(
            f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())} "
            "(other work on the machine makes the figures noisier)"
        )
        if args.profile:
            print()
            print(
                f"== Profiles of ecsd (py-spy, {args.profile_mode} mode, % of samples; "
                f"stacks in {args.profile}) =="
            )
            for row, path in run.profiled:
                print(row)
                print(profiles.summarise(path) if path.exists() else "  (none)")
        if args.json:
            args.json.write_text(json.dumps(to_json(rows, sizes, run), indent=2, default=str))
    finally:
        for s in servers:
            s.stop()
        if args.keep:
            print(f"data and logs kept in {workdir}")
        else:
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if run.problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as exc:  # a server that would not start or answer as expected
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)

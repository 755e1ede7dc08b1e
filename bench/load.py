"""ecsd's API under 50 concurrent clients mixing reads and writes, next to moto's, in one run.

    .venv/bin/python bench/load.py               # 60 s per server (about 2.5 minutes)
    .venv/bin/python bench/load.py --seconds 6   # a smoke check (about 30 seconds)

Issue #8 asks what a user sees when many scripts hit one `ecsd serve` at once: every
request answered (errors must be 0), and how long reads and writes take, apart — a write
waits for its commit's fsync, a read does not. Both servers are started here (ecsd with
an unreachable Docker engine, so that nothing in the mix can start a container; moto's
server as in bench/api.py) and driven by the same load generator (bench/loadgen.py, its
own process, requests built and signed once by botocore — bench/wire.py), in rounds that
alternate the servers so that load from elsewhere on the machine falls on both.

Each client cycles through its own sequence of 12 calls, half reads and half writes, over
ECS, SSM Parameter Store and CloudWatch Logs:

    reads:  DescribeClusters, ListClusters, DescribeTaskDefinition, GetParameter,
            ListTagsForResource, DescribeLogStreams
    writes: CreateCluster, RegisterTaskDefinition, TagResource, PutParameter (overwrite),
            PutLogEvents (5 events), DeleteCluster

Client k creates and deletes its own cluster (`bench-load-w<k>`) and writes its own
parameter and log stream, so that its create always precedes its delete and no call is
refused; the rest (one cluster, task definition family, parameter and log group) are
shared by all clients. Printed: req/s overall, p50/p99 for reads and for writes and per
operation, the ecsd/moto ratios, and the CPU each process used.

It exits 0 whether or not ecsd is faster (a measurement), 1 if any request failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from api import Result, Run, taskdef_payload  # noqa: E402  (bench modules beside this script)
from loadgen import percentile  # noqa: E402
from servers import Ecsd, Moto, Server  # noqa: E402
from wire import Builder, Wire  # noqa: E402

CLUSTER = "bench-load"
FAMILY = "bench-load"
PARAMETER = "/bench/load/read"
LOG_GROUP = "/bench/load"
READ_STREAM = "read"
# ECS allows 50 tags on a resource: clients share this many keys on the shared cluster.
TAG_KEYS = 40

Call = tuple[str, str, dict[str, Any]]  # (service, operation, parameters)


@dataclass
class Mix:
    """The requests for one server: wires, their tags, and each client's sequence."""

    wires: list[Wire]
    tags: list[list[str]]
    sequences: list[list[int]]


class Client:
    """Signed requests (and one-off checked calls) for one server, any service."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.builders: dict[str, Builder] = {}

    def build(self, call: Call) -> Wire:
        service, op, params = call
        if service not in self.builders:
            self.builders[service] = Builder(self.server.url, service)
        return self.builders[service].build(op, params)

    def call(self, call: Call) -> dict[str, Any]:
        """One request, which must succeed (setting up, before the row)."""
        status, body = self.server.send(self.build(call))
        if not 200 <= status < 300:
            raise RuntimeError(
                f"{self.server.name} answered {call[1]} with {status}: "
                f"{body[:300].decode(errors='replace')}"
            )
        return json.loads(body or b"{}")


def events(n: int) -> list[dict[str, Any]]:
    # Built once and replayed for the whole run: timestamps a little in the past stay
    # inside CloudWatch Logs' accepted window (14 days back) however long the run.
    now = int(time.time() * 1000)
    return [{"timestamp": now - 1000 + i, "message": f"bench line {i}"} for i in range(n)]


def prepare(client: Client, clients: int) -> Mix:
    """Create what the mix reads and writes to, then build every client's sequence."""
    payload = {**taskdef_payload(), "family": FAMILY}
    arn = client.call(("ecs", "CreateCluster", {"clusterName": CLUSTER}))["cluster"]["clusterArn"]
    client.call(("ecs", "RegisterTaskDefinition", payload))
    client.call(("ssm", "PutParameter", {"Name": PARAMETER, "Value": "v", "Type": "String"}))
    client.call(("logs", "CreateLogGroup", {"logGroupName": LOG_GROUP}))
    for stream in [READ_STREAM] + [f"w{k}" for k in range(clients)]:
        client.call(
            ("logs", "CreateLogStream", {"logGroupName": LOG_GROUP, "logStreamName": stream})
        )

    reads: list[Call] = [
        ("ecs", "DescribeClusters", {"clusters": [CLUSTER]}),
        ("ecs", "ListClusters", {}),
        ("ecs", "DescribeTaskDefinition", {"taskDefinition": FAMILY}),
        ("ssm", "GetParameter", {"Name": PARAMETER}),
        ("ecs", "ListTagsForResource", {"resourceArn": arn}),
        ("logs", "DescribeLogStreams", {"logGroupName": LOG_GROUP, "limit": 50}),
    ]
    shared: dict[tuple[str, str, str], int] = {}  # the same request for every client is built once
    mix = Mix([], [], [])

    def index(call: Call, kind: str) -> int:
        key = (call[0], call[1], json.dumps(call[2], sort_keys=True))
        if key not in shared:
            shared[key] = len(mix.wires)
            mix.wires.append(client.build(call))
            mix.tags.append([kind, call[1]])
        return shared[key]

    for k in range(clients):
        own = f"bench-load-w{k}"
        writes: list[Call] = [
            ("ecs", "CreateCluster", {"clusterName": own}),
            ("ecs", "RegisterTaskDefinition", payload),
            (
                "ecs",
                "TagResource",
                {"resourceArn": arn, "tags": [{"key": f"k{k % TAG_KEYS}", "value": str(k)}]},
            ),
            (
                "ssm",
                "PutParameter",
                {
                    "Name": f"/bench/load/w{k}",
                    "Value": f"value {k}",
                    "Type": "String",
                    "Overwrite": True,
                },
            ),
            (
                "logs",
                "PutLogEvents",
                {"logGroupName": LOG_GROUP, "logStreamName": f"w{k}", "logEvents": events(5)},
            ),
            # Last: after this client's CreateCluster, which it waited for (see below).
            ("ecs", "DeleteCluster", {"cluster": own}),
        ]
        # Clients start at different places among the reads and among the middle
        # writes, so that at any moment every operation is in flight, not 50 of the same
        # one. CreateCluster stays first and DeleteCluster last: a round may stop anywhere,
        # and the next one starts again at the top, where creating a cluster that is there
        # already is no error, but deleting one that is not would be.
        reads_k = reads[k % len(reads) :] + reads[: k % len(reads)]
        middle = writes[1:-1]
        writes = [writes[0], *middle[k % len(middle) :], *middle[: k % len(middle)], writes[-1]]
        sequence: list[int] = []
        for r, w in zip(reads_k, writes, strict=True):
            sequence += [index(r, "read"), index(w, "write")]
        mix.sequences.append(sequence)
    return mix


def merge(results: list[Result]) -> dict[str, Any]:
    """A row's rounds on one server as one set of figures, overall and per tag."""
    elapsed = sum(r.data["elapsed"] for r in results)

    def figures(latencies: list[float]) -> dict[str, Any]:
        latencies.sort()
        return {
            "count": len(latencies),
            "rate": len(latencies) / elapsed if elapsed else 0.0,
            "p50": percentile(latencies, 50),
            "p99": percentile(latencies, 99),
            "max": latencies[-1] if latencies else float("nan"),
        }

    tags = sorted({t for r in results for t in r.data["by_tag"]})
    return {
        "elapsed": elapsed,
        "all": figures([x for r in results for x in r.data["latencies"]]),
        "by_tag": {
            t: figures(
                [x for r in results for x in r.data["by_tag"].get(t, {}).get("latencies", [])]
            )
            for t in tags
        },
        "errors": sum(r.errors for r in results),
        "client_cpu": sum(r.data["client_cpu"] * r.data["elapsed"] for r in results) / elapsed,
        "server_cpu": sum(r.server_cpu * r.data["elapsed"] for r in results) / elapsed,
    }


def ms(x: float) -> str:
    return f"{x * 1000:.1f}"


def print_table(merged: dict[str, dict[str, Any]], a: str, b: str) -> None:
    """Server `a` beside server `b`: req/s and p50/p99 overall, for reads, for writes and
    per operation, with the a/b ratios."""
    x, y = merged.get(a), merged.get(b)
    w = 24
    head = (
        f"{'':<{w}} {a + ' req/s':>15} {b + ' req/s':>15} {'ratio':>6}  "
        f"{a + ' p50/p99 ms':>21}  {b + ' p50/p99 ms':>21}  {'p50 ratio':>9}  {'p99 ratio':>9}"
    )
    print(head)
    print("-" * len(head))
    tags = ["all", "read", "write"] + sorted(
        {t for z in (x, y) if z for t in z["by_tag"] if t not in ("read", "write")},
        key=lambda t: (t not in READ_OPS, t),
    )

    def cell(f: dict[str, Any] | None) -> str:
        return f"{ms(f['p50'])}/{ms(f['p99'])}" if f and f["count"] else "—"

    def ratio(n: float | None, d: float | None) -> str:
        return f"{n / d:.2f}x" if n and d else "—"

    for tag in tags:
        fx = (x["all"] if tag == "all" else x["by_tag"].get(tag)) if x else None
        fy = (y["all"] if tag == "all" else y["by_tag"].get(tag)) if y else None
        label = {"all": "all requests", "read": "reads", "write": "writes"}.get(tag, f"  {tag}")
        print(
            f"{label:<{w}} {fx['rate'] if fx else float('nan'):>15.0f} "
            f"{fy['rate'] if fy else float('nan'):>15.0f} "
            f"{ratio(fx and fx['rate'], fy and fy['rate']):>6}  "
            f"{cell(fx):>21}  {cell(fy):>21}  "
            f"{ratio(fx and fx['p50'], fy and fy['p50']):>9}  "
            f"{ratio(fx and fx['p99'], fy and fy['p99']):>9}"
        )
    print(f"req/s ratio: {a}/{b} (higher is better for {a}); latency ratios: {a}/{b} (lower is)")


def print_report(args: argparse.Namespace, merged: dict[str, dict[str, Any]]) -> None:
    print()
    print(
        f"== {args.clients} concurrent clients, half reads and half writes, {args.seconds:g} s "
        f"per server in {args.rounds} alternating rounds (after {args.warmup:g} s warm-up) =="
    )
    others = [n for n in merged if n != "ecsd"]
    for other in others:
        print()
        print_table(merged, "ecsd", other)
    if not others:
        print_table(merged, "ecsd", "moto")
    print()
    for name, x in merged.items():
        print(
            f"{name}: {x['all']['count']} requests in {x['elapsed']:.0f} s, errors {x['errors']}; "
            f"CPU-seconds per second: server {x['server_cpu']:.2f}, client {x['client_cpu']:.2f}"
        )


READ_OPS = {
    "DescribeClusters",
    "ListClusters",
    "DescribeTaskDefinition",
    "GetParameter",
    "ListTagsForResource",
    "DescribeLogStreams",
}


def ecsd_at(rev: str, workdir: Path) -> Server:
    """`ecsd serve` from the `ecsd` package as it was at git revision `rev`."""
    src = workdir / f"src-{rev.replace('/', '-')}"
    src.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(HERE.parent), "archive", rev, "ecsd"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(src)], input=archive.stdout, check=True)
    data = workdir / f"at-{src.name}"
    data.mkdir()
    # `python -m ecsd` imports ecsd from its working directory first, so the server is
    # started from the unpacked revision (only the spawn needs it).
    here = os.getcwd()
    os.chdir(src)
    try:
        server = Ecsd(data, "--docker-host", f"unix://{workdir}/no-engine.sock")
    finally:
        os.chdir(here)
    server.name = f"ecsd@{rev}"
    return server


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    p.add_argument("--seconds", type=float, default=60.0, help="measured seconds per server")
    p.add_argument("--clients", type=int, default=50, help="concurrent connections")
    p.add_argument("--rounds", type=int, default=4, help="alternating rounds (default 4)")
    p.add_argument("--warmup", type=float, default=2.0, help="seconds before the first round")
    p.add_argument("--only", choices=("ecsd", "moto"), help="measure one server alone")
    p.add_argument(
        "--against",
        metavar="REV",
        help="also measure ecsd as it was at git revision REV (e.g. main), in the same "
        "alternating rounds: a before/after comparison that the machine's other load "
        "affects alike",
    )
    p.add_argument("--json", type=Path, help="also write the figures here")
    p.add_argument("--keep", action="store_true", help="keep the data dir and server logs")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    api_args = argparse.Namespace(
        warmup=args.warmup, duration=args.seconds, profile=None, profile_mode="cpu"
    )
    run = Run(api_args)
    workdir = Path(tempfile.mkdtemp(prefix="ecsd-bench-load-"))
    servers: list[Server] = []
    try:
        if args.only != "moto":
            # An engine that is not there: no call in the mix may start a container, and
            # if one tried, it could not.
            servers.append(Ecsd(workdir, "--docker-host", f"unix://{workdir}/no-engine.sock"))
        if args.against:
            servers.append(ecsd_at(args.against, workdir))
        if args.only != "ecsd":
            servers.append(Moto(workdir))
        print(
            f"ecsd {version('ecsd')} vs moto {version('moto')}; Python "
            f"{platform.python_version()}, {os.cpu_count()} CPUs shared by client and servers "
            f"(load average before: {', '.join(f'{x:.2f}' for x in os.getloadavg())})",
            flush=True,
        )
        mixes = {s.name: prepare(Client(s), args.clients) for s in servers}
        rounds: dict[str, list[Result]] = {s.name: [] for s in servers}
        for i in range(args.rounds):
            for s in servers:
                mix = mixes[s.name]
                rounds[s.name].append(
                    run.load(
                        s,
                        "mixed",
                        mix.wires,
                        concurrency=args.clients,
                        duration=args.seconds / args.rounds,
                        warmup=args.warmup if i == 0 else 0.3,
                        keep=True,
                        tags=mix.tags,
                        sequences=mix.sequences,
                    )
                )
            print(f"round {i + 1}/{args.rounds} done", flush=True)
        merged = {name: merge(results) for name, results in rounds.items()}
        print_report(args, merged)
        print(f"load average after: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
        if args.json:
            args.json.write_text(json.dumps({"args": vars(args), **merged}, indent=2, default=str))
        if run.problems:
            print(f"ERRORS ({len(run.problems)}):")
            for p in run.problems:
                print(f"  - {p}")
        else:
            print("Errors: none (every request answered 2xx on both servers).")
    finally:
        for s in servers:
            s.stop()
        if args.keep:
            print(f"data and logs kept in {workdir}")
        else:
            shutil.rmtree(workdir, ignore_errors=True)
    return 1 if run.problems else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except RuntimeError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(1)

"""API latency while a chatty container's output is ingested, next to the same API calls alone.

    .venv/bin/python bench/ingest.py                 # 100,000 lines (~10 MB), 3 rounds
    .venv/bin/python bench/ingest.py --lines 20000   # a quicker look

A container printing megabytes shares the store's one writer with every API request
(ecsd/model/logs/ingest.py: LogSink turns its output into a few large write
transactions). This measures what that costs the API, in-process — the store, the sink
and the providers' own handlers, no HTTP — so that only the store's sharing is measured:

- **with output**: a simulated container writes `--lines` lines of ~100 bytes through
  LogSink as fast as it can while one reader (DescribeLogGroups) and one writer
  (CreateLogGroup) loop, 1 ms apart, until the output is stored;
- **alone** (the baseline, in the same run): the same reader and writer for as long,
  with no output.

Rounds alternate the two. Printed: p50/p99/max of reads and writes in both, the ratio,
and the target the test suite used to assert (p99 < 100 ms for both with output; it
moved here from tests/server/test_logs.py because on a busy machine a timed assertion
fails without anything being wrong — the test keeps the behaviour: reads and writes
succeed, and the output lands in a few large transactions).

Exit status 0 whether or not the target is met; 1 if anything failed.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))  # this tree's ecsd, not an installed one

from loadgen import percentile  # noqa: E402

REGION = "us-east-1"
ACCOUNT = "000000000000"


async def probes(
    store: Any, settings: Any, stop: asyncio.Event, prefix: str
) -> tuple[list[float], list[float]]:
    """One reader and one writer looping (1 ms apart) until `stop`: their latencies."""
    from ecsd.aws.provider import Context
    from ecsd.services.logs import groups

    def ctx(conn: Any) -> Context:
        return Context(conn=conn, region=REGION, account=ACCOUNT, request_id="b", settings=settings)

    reads: list[float] = []
    writes: list[float] = []

    async def reader() -> None:
        while not stop.is_set():
            t0 = time.perf_counter()
            await store.read(lambda c: groups.describe_log_groups(ctx(c), {}))
            reads.append(time.perf_counter() - t0)
            await asyncio.sleep(0.001)

    async def writer() -> None:
        n = 0
        while not stop.is_set():
            name = f"{prefix}-{n}"
            t0 = time.perf_counter()
            await store.write(
                lambda c, name=name: groups.create_log_group(ctx(c), {"logGroupName": name})
            )
            writes.append(time.perf_counter() - t0)
            n += 1
            await asyncio.sleep(0.001)

    await asyncio.gather(reader(), writer())
    return reads, writes


async def with_output(store: Any, settings: Any, lines: int, r: int) -> dict[str, Any]:
    from ecsd.model.logs.ingest import LogSink

    sink = LogSink(store, account=ACCOUNT)
    stop = asyncio.Event()
    line = "x" * 95
    base = int(time.time() * 1000)

    async def container() -> None:
        try:
            for i in range(lines):
                await sink.write(
                    REGION,
                    f"/bench/noisy-{r}",
                    "app/web/1",
                    base + i // 100,
                    f"{i:06d} {line}",
                    create_group=True,
                )
            await sink.close()
        finally:
            stop.set()

    started = time.perf_counter()
    (reads, writes), _ = await asyncio.gather(
        probes(store, settings, stop, f"with-{r}"), container()
    )
    return {"seconds": time.perf_counter() - started, "reads": reads, "writes": writes}


async def alone(store: Any, settings: Any, seconds: float, r: int) -> dict[str, Any]:
    stop = asyncio.Event()
    asyncio.get_running_loop().call_later(seconds, stop.set)
    reads, writes = await probes(store, settings, stop, f"alone-{r}")
    return {"seconds": seconds, "reads": reads, "writes": writes}


def figures(xs: list[float]) -> str:
    xs = sorted(xs)
    return (
        f"{len(xs):>6} {percentile(xs, 50) * 1000:>8.1f} {percentile(xs, 99) * 1000:>8.1f} "
        f"{xs[-1] * 1000:>8.1f}"
    )


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--lines", type=int, default=100_000, help="lines of output per round")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--target-ms", type=float, default=100.0, help="p99 target with output")
    args = p.parse_args(argv)

    from ecsd.config import Settings
    from ecsd.services import all_providers
    from ecsd.store import Store

    all_providers()  # every table registered before the store creates them
    workdir = Path(tempfile.mkdtemp(prefix="ecsd-bench-ingest-"))
    store = Store(workdir / "ecsd.db")
    settings = Settings(data_dir=workdir)
    runs: dict[str, dict[str, list[float]]] = {
        "alone": {"reads": [], "writes": []},
        "with output": {"reads": [], "writes": []},
    }
    ingest_seconds: list[float] = []
    print(
        f"{args.rounds} rounds of {args.lines:,} lines; {os.cpu_count()} CPUs, load average "
        f"{', '.join(f'{x:.2f}' for x in os.getloadavg())}",
        flush=True,
    )
    try:
        for r in range(args.rounds):
            got = asyncio.run(with_output(store, settings, args.lines, r))
            ingest_seconds.append(got["seconds"])
            base = asyncio.run(alone(store, settings, got["seconds"], r))
            for name, result in (("with output", got), ("alone", base)):
                runs[name]["reads"] += result["reads"]
                runs[name]["writes"] += result["writes"]
            print(f"round {r + 1}: output stored in {got['seconds']:.1f} s", flush=True)
    finally:
        store.close()
        import shutil

        shutil.rmtree(workdir, ignore_errors=True)

    total = sum(ingest_seconds)
    print()
    print(
        f"== API calls while {args.lines:,} lines (~{args.lines * 102 / 1e6:.0f} MB) are "
        f"ingested, vs alone; {args.lines * args.rounds / total:,.0f} lines/s stored =="
    )
    head = f"{'':<22} {'calls':>6} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}"
    print(head)
    print("-" * len(head))
    for kind in ("reads", "writes"):
        for name in ("alone", "with output"):
            print(f"{kind + ', ' + name:<22} {figures(runs[name][kind])}")
    print()
    for kind in ("reads", "writes"):
        w = sorted(runs["with output"][kind])
        a = sorted(runs["alone"][kind])
        p99 = percentile(w, 99) * 1000
        verdict = "PASS" if p99 < args.target_ms else "FAIL"
        print(
            f"{kind} with output: p99 {p99:.1f} ms (alone {percentile(a, 99) * 1000:.1f} ms, "
            f"{p99 / (percentile(a, 99) * 1000):.1f}x); target < {args.target_ms:g} ms: {verdict}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())

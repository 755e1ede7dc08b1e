"""A closed-loop HTTP load generator that replays pre-built requests, run as its own process.

Why a separate process: the client must not share a GIL (or an event loop) with the
server or with the orchestrating script, or it measures itself. Why pre-built requests:
building and SigV4-signing a request with botocore costs more than some of the operations
being measured, so every request is built once (bench/wire.py) and only its bytes are
replayed here; the servers under test do not check signature expiry.

Protocol: one JSON job on stdin, one JSON result on stdout.

    job = {"url": "http://127.0.0.1:PORT",
           "requests": [{"method": "POST", "path": "/", "headers": {...}, "body": "<base64>"}],
           "concurrency": 16,
           # either a timed run: requests cycle; only completions inside the window count
           "warmup": 1.0, "duration": 5.0,
           # or a counted run: exactly `total` requests (cycling the list), all counted
           "total": 10000,
           # with true, the result also holds every counted latency (to merge rounds)
           "keep_latencies": false,
           # optional: worker k cycles over its own list of request indexes instead of
           # all workers taking the next request of the shared list; requests that must
           # follow each other (create X, then delete X) go in one worker's list
           "sequences": [[0, 1, 2], [0, 3, 4], ...],
           # optional, per request: labels ("read", "DescribeClusters") whose latencies
           # are also reported apart, under "by_tag"
           }

The result holds the counted requests, the window length, latencies (p50/p90/p99/max, in
seconds), errors by status (0 = connection error; in the window, and outside it) with a few
sample bodies, the same latency figures per request tag, and the CPU
seconds this process used in the window — near 1 CPU-second per second means the client
was the bottleneck and the figure is a floor, not the server's capacity.
"""

from __future__ import annotations

import asyncio
import base64
import json
import sys
import time
from collections import Counter
from typing import Any

import aiohttp


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list (q in 0..100)."""
    if not sorted_values:
        return float("nan")
    rank = max(1, min(len(sorted_values), round(q / 100 * len(sorted_values) + 0.5)))
    return sorted_values[rank - 1]


async def run(job: dict[str, Any]) -> dict[str, Any]:
    url = job["url"].rstrip("/")
    prepared = [
        (r["method"], url + r["path"], r["headers"], base64.b64decode(r["body"]))
        for r in job["requests"]
    ]
    tags: list[list[str]] = [list(r.get("tags", ())) for r in job["requests"]]
    sequences: list[list[int]] | None = job.get("sequences")
    concurrency = int(job.get("concurrency", 16))
    total = job.get("total")
    warmup = float(job.get("warmup", 0.0))
    duration = float(job.get("duration", 0.0))

    latencies: list[float] = []
    tagged: dict[str, list[float]] = {t: [] for ts in tags for t in ts}
    errors: Counter[int] = Counter()
    errors_outside: Counter[int] = Counter()  # in warm-up, or finishing after the window
    samples: list[str] = []
    issued = 0  # shared counter: which request goes next (cycling), and when to stop
    start = time.perf_counter()
    window_start = start + (0.0 if total is not None else warmup)
    window_end = float("inf") if total is not None else window_start + duration
    cpu_marks: dict[str, float] = {}

    connector = aiohttp.TCPConnector(
        limit=concurrency,
        limit_per_host=concurrency,
        ttl_dns_cache=None,
        enable_cleanup_closed=False,
    )
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(
        connector=connector,
        timeout=timeout,
        auto_decompress=False,
        skip_auto_headers=("User-Agent",),
    ) as session:

        async def worker(k: int) -> None:
            nonlocal issued
            own = sequences[k % len(sequences)] if sequences else None
            step = 0
            while True:
                now = time.perf_counter()
                if total is not None:
                    if issued >= total:
                        return
                elif now >= window_end:
                    return
                index = own[step % len(own)] if own else issued % len(prepared)
                step += 1
                method, target, headers, body = prepared[index]
                issued += 1
                t0 = time.perf_counter()
                status, text = 0, ""
                try:
                    async with session.request(method, target, headers=headers, data=body) as resp:
                        payload = await resp.read()
                        status = resp.status
                        if status >= 300:
                            text = payload[:300].decode(errors="replace")
                except (TimeoutError, aiohttp.ClientError, OSError) as exc:
                    text = f"{type(exc).__name__}: {exc}"
                t1 = time.perf_counter()
                if window_start <= t1 <= window_end:
                    latencies.append(t1 - t0)
                    for tag in tags[index]:
                        tagged[tag].append(t1 - t0)
                    if not 200 <= status < 300:
                        errors[status] += 1
                        if len(samples) < 5:
                            samples.append(f"{status}: {text}")
                elif not 200 <= status < 300:
                    # Not counted in the row's figures, but an error all the same.
                    errors_outside[status] += 1
                    if len(samples) < 5:
                        samples.append(f"(outside the window) {status}: {text}")

        def mark(edge: str) -> None:
            # CPU time is sampled at the window's edges so that warm-up is not charged;
            # the line on stderr tells the parent to sample the server's CPU time too.
            cpu_marks[edge] = time.process_time()
            print(f"@mark {edge}", file=sys.stderr, flush=True)

        async def window_marks() -> None:
            delay = window_start - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            mark("start")
            if total is None:
                await asyncio.sleep(max(0.0, window_end - time.perf_counter()))
                mark("end")

        marker = asyncio.create_task(window_marks())
        await asyncio.gather(*(worker(k) for k in range(concurrency)))
        await marker
        finished = time.perf_counter()
        if total is not None:
            mark("end")

    elapsed = (finished - start) if total is not None else duration
    keep = bool(job.get("keep_latencies"))
    return {
        **figures(latencies, elapsed, keep),
        "by_tag": {tag: figures(values, elapsed, keep) for tag, values in tagged.items()},
        "errors": {str(k): v for k, v in errors.items()},
        "errors_outside": {str(k): v for k, v in errors_outside.items()},
        "error_samples": samples,
        "client_cpu": (cpu_marks["end"] - cpu_marks["start"]) / elapsed if elapsed else 0.0,
    }


def figures(latencies: list[float], elapsed: float, keep: bool) -> dict[str, Any]:
    """Count, rate and percentiles of some latencies (sorted in place); with `keep`, the
    latencies themselves too."""
    latencies.sort()
    return {
        "count": len(latencies),
        "elapsed": elapsed,
        "rate": len(latencies) / elapsed if elapsed > 0 else 0.0,
        "p50": percentile(latencies, 50),
        "p90": percentile(latencies, 90),
        "p99": percentile(latencies, 99),
        "max": latencies[-1] if latencies else float("nan"),
        **({"latencies": latencies} if keep else {}),
    }


def main() -> None:
    job = json.load(sys.stdin)
    result = asyncio.run(run(job))
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()

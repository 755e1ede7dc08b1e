"""The load balancer's data plane against nginx, in one run (issue #10, item 9).

    .venv/bin/python bench/alb.py                  # about a minute
    .venv/bin/python bench/alb.py --duration 10    # longer rows, steadier figures
    .venv/bin/python bench/alb.py --backend nginx  # a faster backend (shows the proxies more)

Needs Debian's `wrk` and `nginx-light` (`apt-get install -y wrk nginx-light`).

One backend serves a small static body on loopback, in its own process (aiohttp's
low-level server by default; `--backend nginx` for a backend that is never the
bottleneck). Then, each in its own process:

1. **Throughput** with `wrk` (32 connections, 2 threads): requests/s and p50/p99 direct
   to the backend, through nginx as a reverse proxy (one worker, upstream keepalive) and
   through the ecsd Plane (standalone in its own process, one listener, one target group,
   health checks on, as `ecsd serve` runs it). Targets: **plane ≥ 0.6× nginx's
   requests/s and p99 ≤ 2× nginx's**.
2. **Latency added at 200 requests/s**: a paced (open-loop) client, p50/p99 through the
   plane minus direct.
3. **CPU at 1,000 requests/s**: the plane process's CPU-seconds per second while the
   paced client holds 1,000 requests/s.
   Each row also **through a real `ecsd serve`** (bench/alb_serve.py: load balancer,
   target group and listener made with boto3, the backend registered as a target) with
   its default `--lb-workers`; its CPU is summed over ecsd and its workers.
4. **Time to take a dead target out of rotation**: two targets, one killed; seconds until
   the plane reports it unhealthy and no request reaches it, against interval × unhealthy
   threshold.

Figures are measurements, not tests: the script exits 0 whether or not a target is met
and 1 only if something that should have worked did not.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BODY = b"hello from the backend\n"
_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def cpu_seconds(pid: int) -> float:
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def wait_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError(f"nothing listens on port {port}")


# -- the processes ---------------------------------------------------------------------------


def serve_backend(port: int) -> None:
    """The aiohttp backend: a static body, keep-alive, no logging."""
    from aiohttp import web

    async def handle(request: web.BaseRequest) -> web.Response:
        return web.Response(body=BODY, content_type="text/plain")

    async def main() -> None:
        server = web.Server(handle, access_log=None)
        await asyncio.get_running_loop().create_server(server, "127.0.0.1", port)
        await asyncio.Event().wait()

    asyncio.run(main())


def serve_plane(
    port: int, targets: list[int], interval: int, threshold: int, workers: int = 0
) -> None:
    """The Plane standalone, as `ecsd serve` runs it: one event loop, the system clock,
    real health checks. Prints health changes on stdout (the bench reads them)."""
    from ecsd.lb.plane import Plane
    from ecsd.lb.table import (
        Forward,
        HealthCheck,
        HealthReport,
        Listener,
        Rule,
        Table,
        Target,
        TargetGroup,
        WeightedGroup,
    )
    from ecsd.lb.workers import ProcessPlane

    def report(r: object) -> None:
        if isinstance(r, HealthReport):
            print(f"health {r.target.port} {r.state} {r.reason}", flush=True)

    async def main() -> None:
        plane: Plane | ProcessPlane = (
            ProcessPlane(report=report, workers=workers) if workers else Plane(report=report)
        )
        group = TargetGroup(
            "arn:tg/bench",
            "bench",
            health_check=HealthCheck(
                interval_seconds=interval, timeout_seconds=2, unhealthy_threshold=threshold
            ),
            targets=tuple(
                Target(f"10.0.0.{i + 1}", 80, "127.0.0.1", p, p) for i, p in enumerate(targets)
            ),
        )
        rule = Rule(
            "arn:rule/default", 0, (), Forward((WeightedGroup(group.arn),)), is_default=True
        )
        listener = Listener(
            "arn:listener/bench",
            "arn:lb/bench",
            80,
            port,
            rules=(rule,),
            dns_name="bench.elb.localhost",
        )
        errors = await plane.apply(Table((listener,), (group,)))
        if errors:
            print(f"error {errors}", flush=True)
            return
        stop = asyncio.Event()
        asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
        await stop.wait()
        await plane.close()

    asyncio.run(main())


class Proc:
    def __init__(self, args: list[str], **kw: Any) -> None:
        env = dict(os.environ, PYTHONPATH=str(ROOT))
        self.p = subprocess.Popen(args, env=env, **kw)

    @property
    def pid(self) -> int:
        return self.p.pid

    def stop(self) -> None:
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()


def nginx_conf(workdir: Path, listen: int, upstream: int | None) -> Path:
    """nginx with one worker: a reverse proxy with upstream keepalive, or (upstream None)
    the static backend itself."""
    if upstream is None:
        location = f'return 200 "{BODY.decode().strip()}\\n";'
        upstream_block = ""
    else:
        upstream_block = f"upstream backend {{ server 127.0.0.1:{upstream}; keepalive 64; }}"
        location = (
            "proxy_pass http://backend; proxy_http_version 1.1; "
            'proxy_set_header Connection ""; proxy_set_header Host $host; '
            "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;"
        )
    conf = workdir / f"nginx-{listen}.conf"
    conf.write_text(
        f"""
worker_processes 1;
daemon off;
pid {workdir}/nginx-{listen}.pid;
error_log {workdir}/nginx-{listen}.err warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  client_body_temp_path {workdir}/cb; proxy_temp_path {workdir}/pt;
  fastcgi_temp_path {workdir}/ft; uwsgi_temp_path {workdir}/ut; scgi_temp_path {workdir}/st;
  keepalive_requests 1000000;
  {upstream_block}
  server {{ listen 127.0.0.1:{listen}; location / {{ {location} }} }}
}}
"""
    )
    return conf


def start_nginx(workdir: Path, listen: int, upstream: int | None) -> Proc:
    conf = nginx_conf(workdir, listen, upstream)
    proc = Proc(["nginx", "-e", str(workdir / f"nginx-{listen}.stderr"), "-c", str(conf)])
    wait_port(listen)
    return proc


# -- measurements ----------------------------------------------------------------------------

_UNITS = {"us": 1e-6, "ms": 1e-3, "s": 1.0}


def _seconds(text: str) -> float:
    m = re.fullmatch(r"([\d.]+)(us|ms|s)", text)
    if not m:
        raise ValueError(text)
    return float(m.group(1)) * _UNITS[m.group(2)]


def wrk(url: str, duration: int, connections: int = 32, threads: int = 2) -> dict[str, float]:
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency", url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    lat = dict(re.findall(r"^\s+(50|99)%\s+(\S+)$", out, re.M))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    sock = re.search(r"Socket errors: (.*)", out)
    if errors or sock:
        raise RuntimeError(f"wrk saw errors against {url}:\n{out}")
    return {"rps": rps, "p50": _seconds(lat["50"]), "p99": _seconds(lat["99"])}


async def paced(url: str, rate: float, duration: float, connections: int = 16) -> dict[str, float]:
    """Open loop: a request every 1/rate s whatever the answers do; latency from the time
    the request was due, so a slow answer is not hidden by sending less (no coordinated
    omission)."""
    import aiohttp

    latencies: list[float] = []
    errors = 0
    conn = aiohttp.TCPConnector(limit=connections)
    async with aiohttp.ClientSession(connector=conn) as session:

        async def one(due: float) -> None:
            nonlocal errors
            try:
                async with session.get(url) as r:
                    await r.read()
                    if r.status != 200:
                        errors += 1
            except aiohttp.ClientError:
                errors += 1
            latencies.append(time.perf_counter() - due)

        loop = asyncio.get_running_loop()
        start = time.perf_counter()
        tasks = []
        n = int(rate * duration)
        for i in range(n):
            due = start + i / rate
            delay = due - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(loop.create_task(one(due)))
        await asyncio.gather(*tasks)
    latencies.sort()
    return {
        "p50": latencies[len(latencies) // 2],
        "p99": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
        "errors": float(errors),
        "achieved": n / (time.perf_counter() - start),
    }


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("--duration", type=int, default=5)
    ap.add_argument("--backend", choices=("aiohttp", "nginx"), default="aiohttp")
    ap.add_argument(
        "--interval", type=int, default=5, help="health check interval for the dead-target row"
    )
    ap.add_argument(
        "--threshold", type=int, default=2, help="unhealthy threshold for the dead-target row"
    )
    ap.add_argument("--serve-backend", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--serve-plane", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--targets", type=str, help=argparse.SUPPRESS)
    ap.add_argument("--plane-workers", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument(
        "--workers",
        type=int,
        default=2,
        help="also measure a plane of N processes sharing the port with SO_REUSEPORT (0: no)",
    )
    ap.add_argument(
        "--serve-workers",
        type=int,
        default=None,
        help="--lb-workers of the measured `ecsd serve` (default: its own default)",
    )
    args = ap.parse_args()
    if args.serve_backend:
        serve_backend(args.serve_backend)
        return 0
    if args.serve_plane:
        serve_plane(
            args.serve_plane,
            [int(p) for p in args.targets.split(",")],
            args.interval,
            args.threshold,
            args.plane_workers,
        )
        return 0
    for tool in ("wrk", "nginx"):
        if shutil.which(tool) is None:
            print(
                f"bench/alb.py needs `{tool}`: apt-get install -y wrk nginx-light", file=sys.stderr
            )
            return 1

    workdir = Path(tempfile.mkdtemp(prefix="ecsd-bench-alb-"))
    procs: list[Proc] = []
    try:
        backend_port = free_port()
        if args.backend == "nginx":
            procs.append(start_nginx(workdir, backend_port, None))
        else:
            procs.append(Proc([sys.executable, __file__, "--serve-backend", str(backend_port)]))
            wait_port(backend_port)
        nginx_port = free_port()
        procs.append(start_nginx(workdir, nginx_port, backend_port))
        plane_port = free_port()
        plane = start_plane(plane_port, backend_port)
        procs.append(plane)
        workers_port = free_port()
        workers = (
            [start_plane(workers_port, backend_port, workers=args.workers)] if args.workers else []
        )
        procs.extend(workers)
        from bench.alb_serve import Serve

        serve = Serve(ROOT, workdir, free_port(), args.serve_workers)
        serve_port = free_port()
        try:
            serve.balance("bench", serve_port, [backend_port], 30, 2)
        except Exception:
            serve.stop()
            raise
        procs.append(serve)  # type: ignore[arg-type]
        n_workers = len(serve.pids()) - 1

        print(
            f"backend: {args.backend}, 32 connections, {args.duration} s per row (wrk, 2 threads)"
        )
        rows: dict[str, dict[str, float]] = {}
        for name, port in (
            ("direct", backend_port),
            ("nginx", nginx_port),
            ("ecsd plane", plane_port),
            *([(f"plane ×{args.workers}", workers_port)] if workers else []),
            ("ecsd serve", serve_port),
        ):
            url = f"http://127.0.0.1:{port}/"
            wrk(url, 1)  # warm-up: connections, pools, caches
            rows[name] = wrk(url, args.duration)
            r = rows[name]
            print(
                f"  {name:<11} {r['rps']:>9.0f} req/s   p50 {ms(r['p50']):>10}   p99 {ms(r['p99']):>10}"
            )
        ratio = rows["ecsd plane"]["rps"] / rows["nginx"]["rps"]
        p99 = rows["ecsd plane"]["p99"] / rows["nginx"]["p99"]
        print(
            f"  plane/nginx requests/s {ratio:.2f}× (target ≥ 0.6×) {'PASS' if ratio >= 0.6 else 'FAIL'}"
        )
        print(
            f"  plane/nginx p99        {p99:.2f}× (target ≤ 2×)   {'PASS' if p99 <= 2 else 'FAIL'}"
        )
        if workers:
            w = rows[f"plane ×{args.workers}"]
            print(
                f"  ProcessPlane, {args.workers} workers (SO_REUSEPORT)/nginx: requests/s "
                f"{w['rps'] / rows['nginx']['rps']:.2f}×, p99 {w['p99'] / rows['nginx']['p99']:.2f}×"
                f" (nginx has one worker; the machine has {os.cpu_count()} CPUs)"
            )

        sv = rows["ecsd serve"]
        ratio = sv["rps"] / rows["nginx"]["rps"]
        p99 = sv["p99"] / rows["nginx"]["p99"]
        print(f"  ecsd serve ({n_workers} load balancer workers; 0 = in ecsd's process):")
        print(
            f"  serve/nginx requests/s {ratio:.2f}× (target ≥ 0.6×) {'PASS' if ratio >= 0.6 else 'FAIL'}"
        )
        print(
            f"  serve/nginx p99        {p99:.2f}× (target ≤ 2×)   {'PASS' if p99 <= 2 else 'FAIL'}"
        )

        print("latency added at 200 requests/s (paced client, 5 s):")
        direct = asyncio.run(paced(f"http://127.0.0.1:{backend_port}/", 200, 5))
        via_nginx = asyncio.run(paced(f"http://127.0.0.1:{nginx_port}/", 200, 5))
        via = asyncio.run(paced(f"http://127.0.0.1:{plane_port}/", 200, 5))
        print(
            f"  direct p50 {ms(direct['p50'])} p99 {ms(direct['p99'])}; nginx p50 {ms(via_nginx['p50'])} p99 {ms(via_nginx['p99'])}; plane p50 {ms(via['p50'])} p99 {ms(via['p99'])}"
        )
        print(
            f"  added by the plane: p50 {ms(via['p50'] - direct['p50'])}, p99 {ms(via['p99'] - direct['p99'])} (nginx: p50 {ms(via_nginx['p50'] - direct['p50'])})"
        )

        via_serve = asyncio.run(paced(f"http://127.0.0.1:{serve_port}/", 200, 5))
        print(
            f"  added by ecsd serve: p50 {ms(via_serve['p50'] - direct['p50'])}, p99 {ms(via_serve['p99'] - direct['p99'])}"
        )

        before = cpu_seconds(plane.pid)
        t0 = time.monotonic()
        load = asyncio.run(paced(f"http://127.0.0.1:{plane_port}/", 1000, 5))
        used = (cpu_seconds(plane.pid) - before) / (time.monotonic() - t0)
        print(
            f"plane CPU at 1,000 requests/s: {used * 100:.0f}% of one core (client achieved {load['achieved']:.0f}/s, {load['errors']:.0f} errors)"
        )
        pids = serve.pids()
        before = sum(cpu_seconds(p) for p in pids)
        t0 = time.monotonic()
        serve_load = asyncio.run(paced(f"http://127.0.0.1:{serve_port}/", 1000, 5))
        used = (sum(cpu_seconds(p) for p in pids) - before) / (time.monotonic() - t0)
        print(
            f"ecsd serve CPU at 1,000 requests/s: {used * 100:.0f}% of one core, ecsd + {len(pids) - 1} workers (client achieved {serve_load['achieved']:.0f}/s, {serve_load['errors']:.0f} errors)"
        )
        failed = any(x["errors"] for x in (direct, via_nginx, via, load, via_serve, serve_load))

        took = dead_target(workdir, args.interval, args.threshold)
        budget = args.interval * args.threshold
        print(
            f"dead target out of rotation: {took:.1f} s (interval {args.interval} s × unhealthy threshold {args.threshold} = {budget} s)"
        )
        took = serve_dead_target(serve, args.interval, args.threshold)
        print(
            f"dead target out of rotation through ecsd serve (DescribeTargetHealth says unhealthy): {took:.1f} s (budget {budget} s)"
        )
        return 1 if failed else 0
    finally:
        for p in reversed(procs):
            p.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def serve_dead_target(serve: Any, interval: int, threshold: int) -> float:
    """Two backends behind a load balancer of the running `ecsd serve`; one is killed;
    seconds until the API reports it unhealthy."""
    a, b = free_port(), free_port()
    backends = [Proc([sys.executable, __file__, "--serve-backend", str(p)]) for p in (a, b)]
    try:
        for p in (a, b):
            wait_port(p)
        tg = serve.balance("dead", free_port(), [a, b], interval, threshold)
        backends[1].stop()
        return float(serve.wait(tg, lambda s: s.get(b) == "unhealthy", 10 * interval * threshold))
    finally:
        for p in backends:
            p.stop()


def start_plane(port: int, backend: int, workers: int = 0) -> Proc:
    """A standalone plane serving one listener to `backend`, once healthy: one process,
    or (workers > 0) a ProcessPlane and its worker processes."""
    args = [sys.executable, __file__, "--serve-plane", str(port), "--targets", str(backend)]
    args += ["--interval", "30"] + ["--plane-workers", str(workers)]
    plane = Proc(args, stdout=subprocess.PIPE, text=True)
    assert plane.p.stdout is not None
    for line in plane.p.stdout:  # wait for the target to be healthy
        if " healthy " in line:
            return plane
        if line.startswith("error"):
            plane.stop()
            raise RuntimeError(line)
    raise RuntimeError("the plane process ended before its target was healthy")


def dead_target(workdir: Path, interval: int, threshold: int) -> float:
    """Two backends behind a plane; one is killed; seconds until the plane reports it
    unhealthy (from then on the fail-safe routing sends it nothing)."""
    a, b = free_port(), free_port()
    backends = [Proc([sys.executable, __file__, "--serve-backend", str(p)]) for p in (a, b)]
    port = free_port()
    plane = Proc(
        [
            sys.executable,
            __file__,
            "--serve-plane",
            str(port),
            "--targets",
            f"{a},{b}",
            "--interval",
            str(interval),
            "--threshold",
            str(threshold),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        for p in (a, b):
            wait_port(p)
        assert plane.p.stdout is not None
        healthy: set[str] = set()
        for line in plane.p.stdout:
            parts = line.split()
            if parts[0] == "health" and parts[2] == "healthy":
                healthy.add(parts[1])
            if len(healthy) == 2:
                break
        backends[1].stop()
        killed = time.monotonic()
        for line in plane.p.stdout:
            parts = line.split()
            if parts[:3] == ["health", str(b), "unhealthy"]:
                return time.monotonic() - killed
        raise RuntimeError("the plane never reported the dead target")
    finally:
        plane.stop()
        for p in backends:
            p.stop()


if __name__ == "__main__":
    sys.exit(main())

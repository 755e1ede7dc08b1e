"""The console with many objects: page time and the cost of live updates.

    .venv/bin/python bench/console.py            # 200 services × 10 tasks (about 2 minutes)
    .venv/bin/python bench/console.py --quick    # 20 × 10, a smoke check

The daemon runs in this process (tests/in_process.py) on the fake container runtime, so
that 2,000 tasks can be RUNNING without 2,000 containers: what a console page costs is
the store and the API, not the engine. It creates a cluster with 200 services of 10
Fargate tasks each, waits until all 2,000 tasks are RUNNING, then, in headless Debian
Chromium driven by Playwright:

1. Page time: the cluster page (services tab: 200 rows), its tasks tab (2,000 tasks, the
   first 100 shown) and a service page, each opened 5 times from a blank page; timed
   until the page's table is rendered and its buttons answer (interactive). Target:
   **≤ 1 s** (median and worst shown).
2. Live updates: this process's CPU (the daemon and its threads; Chromium is other
   processes) over 30 s with no page open, then over 30 s with the cluster page open
   and idle, then over 30 s of one service's desired count changing every 2 s, without
   and with the page open (each change a refresh of the page). Reported as % of one core
   above the window without the page. Target: **< 2 %** for the page.

It exits 0 whether or not the targets are met (a measurement), 1 if something that
should have worked did not.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]  # this tree's ecsd, whatever is installed
from browser import ARGS, CHROMIUM  # noqa: E402
from in_process import InProcessServer  # noqa: E402

from ecsd.core.clock import SystemClock  # noqa: E402
from ecsd.runtime.fake import FakeRuntime  # noqa: E402

NETWORK = {"awsvpcConfiguration": {"subnets": ["subnet-bench"]}}


def ecs_client(url: str) -> Any:
    return boto3.client(
        "ecs",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id="bench",
        aws_secret_access_key="bench",
        config=Config(retries={"max_attempts": 1}, max_pool_connections=32),
    )


def populate(ecs: Any, services: int, tasks: int) -> None:
    ecs.create_cluster(clusterName="bench")
    ecs.register_task_definition(
        family="bench",
        requiresCompatibilities=["FARGATE"],
        networkMode="awsvpc",
        cpu="256",
        memory="512",
        containerDefinitions=[
            {"name": "app", "image": "bench/app:1", "portMappings": [{"containerPort": 80}]}
        ],
    )
    for i in range(services):
        ecs.create_service(
            cluster="bench",
            serviceName=f"svc-{i:03d}",
            taskDefinition="bench",
            desiredCount=tasks,
            launchType="FARGATE",
            networkConfiguration=NETWORK,
        )
    want = services * tasks
    deadline = time.monotonic() + 600
    while time.monotonic() < deadline:
        running = ecs.describe_clusters(clusters=["bench"])["clusters"][0]["runningTasksCount"]
        if running >= want:
            return
        time.sleep(2)
    raise SystemExit(f"only {running} of {want} tasks RUNNING after 10 minutes")


def cpu() -> float:
    return time.process_time()


def page_times(
    browser: Any, url: str, paths: dict[str, tuple[str, str]], rounds: int
) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {k: [] for k in paths}
    for _ in range(rounds):
        for name, (path, ready) in paths.items():
            page = browser.new_page()
            page.goto("about:blank")
            t0 = time.perf_counter()
            page.goto(f"{url}/_console/#{path}")
            page.wait_for_selector(ready, timeout=30_000)
            page.locator("#view button").first.wait_for(state="attached")
            out[name].append(time.perf_counter() - t0)
            page.close()
    return out


def window(seconds: float, during: Any = None) -> float:
    """% of one core this process used over `seconds` (calling `during(t)` meanwhile)."""
    c0, t0 = cpu(), time.monotonic()
    while time.monotonic() - t0 < seconds:
        if during is not None:
            during(time.monotonic() - t0)
        time.sleep(0.1)
    return 100 * (cpu() - c0) / (time.monotonic() - t0)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--services", type=int, default=200)
    ap.add_argument("--tasks", type=int, default=10)
    ap.add_argument("--window", type=float, default=30.0)
    args = ap.parse_args()
    if args.quick:
        args.services, args.window = 20, 10.0
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="ecsd-bench-console-") as tmp:
        server = InProcessServer(Path(tmp) / "data", runtime=FakeRuntime(SystemClock())).start()
        try:
            ecs = ecs_client(server.url)
            t0 = time.monotonic()
            populate(ecs, args.services, args.tasks)
            print(
                f"store: {args.services} services, {args.services * args.tasks} tasks RUNNING "
                f"(made in {time.monotonic() - t0:.0f} s)"
            )
            time.sleep(5)  # let the scheduler settle
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                paths = {
                    "cluster (services tab)": ("/clusters/bench", "#view tbody tr:nth-child(10)"),
                    "cluster (tasks tab)": (
                        "/clusters/bench?tab=tasks",
                        "#view tbody tr:nth-child(100)",
                    ),
                    "service": ("/clusters/bench/services/svc-000", "#view tbody tr"),
                }
                times = page_times(browser, server.url, paths, 5)
                print("\n1. Page time, blank → interactive (5 rounds), target ≤ 1 s")
                for name, ts in times.items():
                    worst = max(ts)
                    print(
                        f"   {name:24s} median {statistics.median(ts):.2f} s  worst {worst:.2f} s  "
                        f"{'PASS' if worst <= 1.0 else 'FAIL'}"
                    )
                state = {"next": 0.0, "n": 0}

                def churn(t: float) -> None:
                    if t >= state["next"]:
                        state["next"] += 2.0
                        state["n"] += 1
                        ecs.update_service(
                            cluster="bench",
                            service="svc-001",
                            desiredCount=args.tasks + state["n"] % 2,
                        )

                base = window(args.window)
                page = browser.new_page()
                page.goto(f"{server.url}/_console/#/clusters/bench")
                page.wait_for_selector("#view tbody tr:nth-child(10)")
                idle = window(args.window)
                idle_refreshes = page.evaluate("window.ecsdConsole.refreshes")
                page.close()
                # Changes without and with the page, alternated (the machine is shared:
                # load from elsewhere falls on both sides).
                alone, with_page, refreshes = [], [], []
                for _ in range(2):
                    state["next"] = 0.0
                    alone.append(window(args.window, churn))
                    page = browser.new_page()
                    page.goto(f"{server.url}/_console/#/clusters/bench")
                    page.wait_for_selector("#view tbody tr:nth-child(10)")
                    state["next"] = 0.0
                    with_page.append(window(args.window, churn))
                    refreshes.append(page.evaluate("window.ecsdConsole.refreshes"))
                    page.close()
                churn_alone, busy = statistics.median(alone), statistics.median(with_page)
                browser.close()
            print(f"\n2. This process's CPU (% of one core) over {args.window:.0f} s windows")
            print(f"   no page open                    {base:5.2f} %")
            print(
                f"   (the idle page read the APIs again {idle_refreshes} times; under changes "
                f"{statistics.median(refreshes):.0f} times per window)"
            )
            print(
                f"   cluster page open, idle         {idle:5.2f} %  (+{idle - base:.2f}, target < 2 "
                f"{'PASS' if idle - base < 2 else 'FAIL'})"
            )
            print(
                f"   no page, a change every 2 s     {churn_alone:5.2f} %  (the changes' own work)"
            )
            page_share = busy - churn_alone
            print(
                f"   page open, a change every 2 s   {busy:5.2f} %  (+{page_share:.2f} for the page's "
                f"refreshes, target < 2 {'PASS' if page_share < 2 else 'FAIL'})"
            )
        finally:
            server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())

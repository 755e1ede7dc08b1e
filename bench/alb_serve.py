"""A real `ecsd serve` as bench/alb.py measures it: the load balancer, target group and
listener made with boto3 as a user would, the backend registered as an `ip` target.

Why a module of its own: alb.py's standalone plane shows what the proxy can do; this is
what a user gets (the API, the controllers and the default worker count in the way).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

SUBNETS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]


class Serve:
    """`ecsd serve` on `port` with its own data dir; `workers` None: the default count."""

    def __init__(self, root: Path, workdir: Path, port: int, workers: int | None) -> None:
        args = [sys.executable, "-m", "ecsd", "serve", "--port", str(port)]
        args += ["--data-dir", str(workdir / "serve"), "--log-level", "WARNING"]
        if workers is not None:
            args += ["--lb-workers", str(workers)]
        env = dict(os.environ, PYTHONPATH=str(root))
        if workers is None:
            env.pop("ECSD_LB_WORKERS", None)  # the default: one per core, at most 4
        self.log = open(workdir / "serve.log", "wb")
        self.p = subprocess.Popen(args, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        self.url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{self.url}/_ecsd/health", timeout=1):
                    break
            except OSError:
                if self.p.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"ecsd serve did not start: {workdir / 'serve.log'}"
                    ) from None
                time.sleep(0.1)
        import boto3
        from botocore.config import Config

        self.elb: Any = boto3.client(
            "elbv2",
            endpoint_url=self.url,
            region_name="us-east-1",
            aws_access_key_id="bench",
            aws_secret_access_key="bench",
            config=Config(retries={"max_attempts": 1}),
        )

    def pids(self) -> list[int]:
        """ecsd and its load balancer workers (whose CPU the figures sum)."""
        found = [self.p.pid]
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                cmd = (entry / "cmdline").read_bytes()
            except (OSError, IndexError, ValueError):
                continue
            if ppid == self.p.pid and b"ecsd.lb.worker" in cmd:
                found.append(int(entry.name))
        return found

    def balance(
        self, name: str, listen: int, backends: list[int], interval: int, threshold: int
    ) -> str:
        """A load balancer on `listen` forwarding to `backends` (loopback ports), once every
        target is healthy. The target group's ARN."""
        lb = self.elb.create_load_balancer(Name=f"{name}-lb", Subnets=SUBNETS)
        lb = lb["LoadBalancers"][0]
        tg = self.elb.create_target_group(
            Name=f"{name}-tg",
            Protocol="HTTP",
            Port=80,
            VpcId=lb["VpcId"],
            TargetType="ip",
            HealthCheckPath="/",
            HealthCheckIntervalSeconds=interval,
            HealthCheckTimeoutSeconds=min(interval - 1, 5),
            HealthyThresholdCount=2,
            UnhealthyThresholdCount=threshold,
        )["TargetGroups"][0]["TargetGroupArn"]
        self.elb.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"],
            Protocol="HTTP",
            Port=listen,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
        )
        targets = [{"Id": "127.0.0.1", "Port": p} for p in backends]
        self.elb.register_targets(TargetGroupArn=tg, Targets=targets)
        self.wait(tg, lambda states: set(states.values()) == {"healthy"}, 60)
        time.sleep(0.5)  # the state reaches every worker
        return tg

    def states(self, tg: str) -> dict[int, str]:
        out = self.elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
        return {d["Target"]["Port"]: d["TargetHealth"]["State"] for d in out}

    def wait(self, tg: str, done: Any, timeout: float) -> float:
        """Seconds until `done(state by port)` holds."""
        t0 = time.monotonic()
        while True:
            states = self.states(tg)
            if done(states):
                return time.monotonic() - t0
            if time.monotonic() - t0 > timeout:
                raise RuntimeError(f"target states stuck at {states}")
            time.sleep(0.05)

    def stop(self) -> None:
        if self.p.poll() is None:
            self.p.terminate()
            try:
                self.p.wait(15)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.log.close()

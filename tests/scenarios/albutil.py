"""Helpers for the load-balancer scenarios: a load balancer with one HTTP listener
forwarding to one `ip` target group (short health checks, so scenarios finish fast), a
busybox httpd task definition, requests to the load balancer by its DNS name, and a
steady client that counts every failure."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
from server_process import free_port

from .taskutil import register

SUBNETS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
# busybox httpd in the foreground, serving a page that says which revision answers; the
# shell traps SIGTERM so that a stop does not wait out stopTimeout.
HTTPD = [
    "sh",
    "-c",
    'mkdir -p /www && echo "rev=$REV task=$(hostname)" > /www/index.html && '
    "trap 'exit 0' TERM; httpd -f -p 80 -h /www & wait",
]
SLEEP = ["sh", "-c", "trap 'exit 0' TERM; sleep 3600 & wait"]  # no server: fails checks


@dataclass
class Alb:
    dns: str
    port: int  # the listener's port (a free one: tests run beside other servers)
    lb_arn: str
    tg_arn: str
    listener_arn: str

    @property
    def url(self) -> str:
        return f"http://{self.dns}:{self.port}/"


def make_alb(elbv2: Any, name: str = "web", *, port: int | None = None, **tg: Any) -> Alb:
    lb = elbv2.create_load_balancer(Name=f"{name}-lb", Subnets=SUBNETS)["LoadBalancers"][0]
    group = elbv2.create_target_group(
        Name=f"{name}-tg",
        Protocol="HTTP",
        Port=80,
        VpcId=lb["VpcId"],
        TargetType="ip",
        HealthCheckPath="/",
        HealthCheckIntervalSeconds=tg.pop("interval", 5),
        HealthCheckTimeoutSeconds=2,
        HealthyThresholdCount=2,
        UnhealthyThresholdCount=2,
    )["TargetGroups"][0]
    elbv2.modify_target_group_attributes(
        TargetGroupArn=group["TargetGroupArn"],
        Attributes=[
            {"Key": "deregistration_delay.timeout_seconds", "Value": str(tg.pop("delay", 5))}
        ],
    )
    port = port or free_port()
    listener = elbv2.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=port,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": group["TargetGroupArn"]}],
    )["Listeners"][0]
    return Alb(
        dns=lb["DNSName"],
        port=port,
        lb_arn=lb["LoadBalancerArn"],
        tg_arn=group["TargetGroupArn"],
        listener_arn=listener["ListenerArn"],
    )


def web_taskdef(ecs: Any, family: str, rev: str, command: list[str] | None = None) -> str:
    return register(
        ecs,
        family,
        [
            {
                "name": "web",
                "command": command or HTTPD,
                "portMappings": [{"containerPort": 80}],
                "environment": [{"name": "REV", "value": rev}],
            }
        ],
    )


def balanced(alb: Alb, container: str = "web") -> list[dict[str, Any]]:
    return [{"targetGroupArn": alb.tg_arn, "containerName": container, "containerPort": 80}]


def health(elbv2: Any, alb: Alb) -> list[tuple[str, str]]:
    """(target id, state) of every target, sorted."""
    out = elbv2.describe_target_health(TargetGroupArn=alb.tg_arn)["TargetHealthDescriptions"]
    return sorted((d["Target"]["Id"], d["TargetHealth"]["State"]) for d in out)


def get(alb: Alb, timeout: float = 5.0) -> tuple[int, str]:
    """One request to the load balancer by its DNS name (a `*.localhost` name is
    loopback; the Host header names the load balancer, as a browser's would)."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", alb.port, timeout=timeout)
    try:
        conn.request("GET", "/", headers={"Host": f"{alb.dns}:{alb.port}"})
        resp = conn.getresponse()
        return resp.status, resp.read().decode(errors="replace")
    finally:
        conn.close()


@dataclass
class Tally:
    ok: int = 0
    statuses: dict[int, int] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)
    bodies: set[str] = field(default_factory=set)

    @property
    def failed(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500) + len(self.errors)


class SteadyClient:
    """`rate` requests a second to the load balancer, paced, over keep-alive connections,
    in a thread of its own, for as long as the with-block lasts; every answer counted."""

    def __init__(self, alb: Alb, rate: float = 200.0) -> None:
        self.alb = alb
        self.rate = rate
        self.tally = Tally()
        self.seconds = 0.0  # how long it ran
        self._stop = threading.Event()
        self._thread = threading.Thread(target=lambda: asyncio.run(self._run()), daemon=True)

    def __enter__(self) -> SteadyClient:
        self._thread.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    async def _one(self, session: aiohttp.ClientSession) -> None:
        try:
            async with session.get(
                f"http://127.0.0.1:{self.alb.port}/",
                headers={"Host": f"{self.alb.dns}:{self.alb.port}"},
            ) as resp:
                body = await resp.text()
                self.tally.statuses[resp.status] = self.tally.statuses.get(resp.status, 0) + 1
                if resp.status == 200:
                    self.tally.ok += 1
                    self.tally.bodies.add(body.split(" ")[0])
        except Exception as exc:  # a connection error is a failed request
            self.tally.errors.append(f"{type(exc).__name__}: {exc}")

    async def _run(self) -> None:
        timeout = aiohttp.ClientTimeout(total=10)
        async with aiohttp.ClientSession(
            timeout=timeout, connector=aiohttp.TCPConnector(limit=64)
        ) as session:
            pending: set[asyncio.Task[None]] = set()
            start, n = time.monotonic(), 0
            while not self._stop.is_set():
                n += 1
                task = asyncio.create_task(self._one(session))
                pending.add(task)
                task.add_done_callback(pending.discard)
                delay = start + n / self.rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            self.seconds = time.monotonic() - start
            if pending:
                await asyncio.wait(pending)

"""A real `ecsd serve --lb-workers 2`: a listener served by two worker processes forwards
to a real backend, a draining target stays draining while a request to it is in flight
in either worker, kill -9 of ecsd leaves no worker behind, and an ecsd started again
serves the listener with new workers."""

from __future__ import annotations

import http.client
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from conftest import client_for
from server_process import free_port

SUBNETS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]


class Backend:
    """A loopback HTTP server; `/slow` waits until `release` is set."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.slow_started = threading.Event()
        self.peers: set[int] = set()
        backend = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                backend.peers.add(self.client_address[1])
                if self.path == "/slow":
                    backend.slow_started.set()
                    backend.release.wait(30)
                body = f"backend {self.path}".encode()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


def get(port: int, path: str = "/", timeout: float = 10.0) -> tuple[int, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read().decode()
    finally:
        conn.close()


def workers_of(pid: int) -> set[int]:
    """The `ecsd.lb.worker` processes whose parent is `pid`."""
    found = set()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if b"ecsd.lb.worker" in cmdline and ppid == pid:
            found.add(int(entry.name))
    return found


def alive(pids: set[int]) -> set[int]:
    out = set()
    for pid in pids:
        try:
            state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            out.add(pid)
    return out


def states(elb: Any, tg: str) -> list[str]:
    out = elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
    return [d["TargetHealth"]["State"] for d in out]


def test_serve_with_two_workers(ecsd_factory: Any) -> None:
    server = ecsd_factory("--lb-workers", "2")
    backend = Backend()
    try:
        elb = client_for(server, "elbv2")
        lb = elb.create_load_balancer(Name="w-lb", Subnets=SUBNETS)["LoadBalancers"][0]
        tg = elb.create_target_group(
            Name="w-tg",
            Protocol="HTTP",
            Port=80,
            VpcId=lb["VpcId"],
            TargetType="ip",
            HealthCheckPath="/",
            HealthCheckIntervalSeconds=5,
            HealthCheckTimeoutSeconds=2,
            HealthyThresholdCount=2,
            UnhealthyThresholdCount=2,
        )["TargetGroups"][0]["TargetGroupArn"]
        assert server.proc is not None
        assert workers_of(server.proc.pid) == set()  # no listener yet: no worker process
        port = free_port()
        elb.create_listener(
            LoadBalancerArn=lb["LoadBalancerArn"],
            Protocol="HTTP",
            Port=port,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
        )
        deadline = time.monotonic() + 10  # the first listener starts the workers
        while len(workers := workers_of(server.proc.pid)) != 2:
            assert time.monotonic() < deadline, f"workers: {workers}\n{server.log()}"
            time.sleep(0.1)

        target = {"Id": "127.0.0.1", "Port": backend.port}
        elb.register_targets(TargetGroupArn=tg, Targets=[target])
        deadline = time.monotonic() + 30
        while states(elb, tg) != ["healthy"]:
            assert time.monotonic() < deadline, states(elb, tg)
            time.sleep(0.2)
        time.sleep(0.2)  # the state reaches both workers
        for i in range(30):  # a connection each: the kernel spreads them over the workers
            assert get(port, f"/{i}") == (200, f"backend /{i}")
        assert len(backend.peers) >= 2  # both workers' upstream connections came

        # A slow request in flight in one worker: the target stays draining until it ends.
        answer: list[tuple[int, str]] = []
        slow = threading.Thread(target=lambda: answer.append(get(port, "/slow", 30)))
        slow.start()
        assert backend.slow_started.wait(10)
        elb.deregister_targets(TargetGroupArn=tg, Targets=[target])
        until = time.monotonic() + 2.0
        while time.monotonic() < until:
            assert states(elb, tg) == ["draining"]
            time.sleep(0.2)
        backend.release.set()
        slow.join(10)
        assert answer == [(200, "backend /slow")]
        deadline = time.monotonic() + 10
        while states(elb, tg):  # drained: removed long before the 300 s delay
            assert time.monotonic() < deadline, states(elb, tg)
            time.sleep(0.2)

        # Registered again and healthy, then kill -9 of ecsd: its workers go with it, and
        # the listener's port is free again.
        elb.register_targets(TargetGroupArn=tg, Targets=[target])
        deadline = time.monotonic() + 30
        while states(elb, tg) != ["healthy"]:
            assert time.monotonic() < deadline, states(elb, tg)
            time.sleep(0.2)
        server.kill9()
        deadline = time.monotonic() + 10
        while alive(workers):
            assert time.monotonic() < deadline, f"workers left behind: {alive(workers)}"
            time.sleep(0.1)
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))

        # ecsd again on the same data dir: new workers serve the listener, the target
        # keeps its recorded health (traffic at once, no new health-check wait).
        again = ecsd_factory("--lb-workers", "2", data_dir=server.data_dir)
        assert again.proc is not None
        deadline = time.monotonic() + 10
        while len(workers_of(again.proc.pid)) != 2:
            assert time.monotonic() < deadline, workers_of(again.proc.pid)
            time.sleep(0.1)
        deadline = time.monotonic() + 5
        while True:
            try:
                assert get(port, "/back") == (200, "backend /back")
                break
            except (OSError, AssertionError):
                assert time.monotonic() < deadline, again.log()
                time.sleep(0.1)
    finally:
        backend.close()
        if os.environ.get("KEEP"):
            print(server.log())

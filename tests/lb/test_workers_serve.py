"""`ecsd serve --lb-workers 2`: the load balancer's data plane in two worker processes
beside ecsd — a listener serves through them, they are ecsd's children, a `kill -9` of
ecsd takes them down with it (the port is free again), and a restart brings them back."""

from __future__ import annotations

import os
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import client_for

from .harness import free_port

VPC = "vpc-0123456789abcdef0"


class _Hello(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        body = b"hello through the workers"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_args: object) -> None:
        pass


@pytest.fixture
def backend() -> Iterator[int]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Hello)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server.server_address[1]
    server.shutdown()


def _workers_of(pid: int) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        if ppid == pid and b"ecsd.lb.worker" in cmd:
            found.append(int(entry))
    return found


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def _get(port: int, host: str) -> tuple[int, bytes]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}/", headers={"Host": host})
    try:
        with urllib.request.urlopen(req, timeout=2) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def _until(check, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"not within {timeout} s: {check}")


def test_the_data_plane_in_worker_processes_lives_and_dies_with_ecsd(ecsd_factory, backend):
    server = ecsd_factory("--lb-workers", "2")
    elb = client_for(server, "elbv2")
    tg = elb.create_target_group(
        Name="w",
        Protocol="HTTP",
        Port=backend,
        VpcId=VPC,
        TargetType="ip",
        HealthCheckIntervalSeconds=5,
        HealthCheckTimeoutSeconds=2,
        HealthyThresholdCount=2,
    )["TargetGroups"][0]["TargetGroupArn"]
    lb = elb.create_load_balancer(Name="w", Subnets=["subnet-a", "subnet-b"])["LoadBalancers"][0]
    port = free_port()
    elb.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=port,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
    )
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": "127.0.0.1", "Port": backend}])
    host = lb["DNSName"]
    _until(lambda: _get(port, host) == (200, b"hello through the workers"), timeout=20)
    assert all(_get(port, host)[0] == 200 for _ in range(20))
    assert server.proc is not None
    workers = _workers_of(server.proc.pid)
    assert len(workers) == 2
    # kill -9: the workers go with ecsd, and the port with them.
    server.kill9()
    _until(lambda: not any(_alive(w) for w in workers), timeout=5)
    with pytest.raises(OSError):
        _get(port, host)
    # A restart brings the listener back on its port, served by new workers.
    server.start()
    _until(lambda: _get(port, host)[0] == 200, timeout=15)
    assert len(_workers_of(server.proc.pid)) == 2

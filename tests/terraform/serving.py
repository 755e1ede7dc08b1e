"""Reaching a load balancer's listener from a test, the way a user does: on loopback at
the port ecsd binds for it (README: "Where to connect to a load balancer")."""

from __future__ import annotations

import time
import urllib.error
import urllib.request


def get_when_served(dns_name: str, port: int, path: str = "/", timeout: float = 60.0) -> str:
    """The body of `path` once the load balancer forwards it to a healthy target (503
    until the task is registered and passes its first health check). The listener
    listens on loopback; urllib does not resolve `.localhost` names as curl does, so the
    load balancer's DNS name goes in the Host header (README: where listeners bind)."""
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers={"Host": dns_name})
    deadline = time.monotonic() + timeout
    last: object = None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(request, timeout=5) as resp:
                return str(resp.read().decode())
        except (urllib.error.URLError, OSError) as exc:
            last = exc
        time.sleep(1)
    raise AssertionError(f"{dns_name}:{port}{path} not served within {timeout:g} s: {last}")

"""Where listeners really bind: the documented fallback for a privileged port as a normal
user, and a listener whose port is taken (reported, the others serve)."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import aiohttp

import ecsd.lb.ports
from ecsd.lb.table import FixedResponse

from .harness import Harness, default, free_port, listener

PROBE = """
import socket, sys
sys.path.insert(0, sys.argv[1])
from ports import bind_port_for
def can(port):
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", port)); return True
    except OSError:
        return False
    finally:
        s.close()
print(bind_port_for(80), can(80), can(bind_port_for(80)))
"""


def test_a_normal_user_falls_back_to_port_plus_8000():
    """Run as a normal user (uid 65534 when the test runs as root): port 80 cannot be bound
    and `bind_port_for(80)` is 8080, which can. The kernel's setting decides: where it
    allows port 80 to everyone, the port stays 80 and is bindable."""
    start = ecsd.lb.ports.unprivileged_port_start()
    workdir = Path(tempfile.mkdtemp())
    try:
        shutil.copy(ecsd.lb.ports.__file__, workdir / "ports.py")
        os.chmod(workdir, 0o755)
        os.chmod(workdir / "ports.py", 0o644)
        cmd = [sys.executable, "-c", PROBE, str(workdir)]
        if os.geteuid() == 0:
            # The dropped user may not read this venv's interpreter: the system's will do
            # (ports.py needs nothing but the standard library).
            setpriv = shutil.which("setpriv")
            assert setpriv, "setpriv (util-linux) is needed to run the probe as a normal user"
            python = "/usr/bin/python3"
            assert os.access(python, os.X_OK), "a system python3 is needed for the probe"
            cmd = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups", python, *cmd[1:]]
        out = subprocess.run(
            cmd, capture_output=True, text=True, check=True, timeout=30
        ).stdout.split()
    finally:
        shutil.rmtree(workdir)
    if start > 80:
        assert out == ["8080", "False", "True"]
    else:
        assert out == ["80", "True", "True"]


def test_a_listener_whose_port_is_taken_is_reported_and_the_others_serve():
    async def scenario() -> None:
        taken = socket.socket()
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        busy = taken.getsockname()[1]
        h = Harness()
        ok = free_port()
        try:
            bad = listener(busy, default(FixedResponse(200, body="never")), dns="bad.elb.localhost")
            good = listener(
                ok, default(FixedResponse(200, body="served")), dns="good.elb.localhost"
            )
            errors = await h.apply(bad, good)
            assert list(errors) == [bad.arn]
            assert f"127.0.0.1:{busy}" in errors[bad.arn]
            async with aiohttp.ClientSession() as s:
                async with s.get(f"http://127.0.0.1:{ok}/") as r:
                    assert await r.text() == "served"
            # the port frees up: the next apply binds it
            taken.close()
            assert await h.apply(bad, good) == {}
            async with aiohttp.ClientSession() as s:
                async with s.get(f"http://127.0.0.1:{busy}/") as r:
                    assert await r.text() == "never"
            # a listener removed closes its socket
            await h.apply(good)
            async with aiohttp.ClientSession() as s:
                try:
                    async with s.get(f"http://127.0.0.1:{busy}/") as r:
                        raise AssertionError(f"still served: {r.status}")
                except aiohttp.ClientConnectorError:
                    pass
        finally:
            taken.close()
            await h.close()

    asyncio.run(scenario())

"""The two servers a benchmark compares — ecsd and moto's server — started side by side.

ecsd is started the way the tests start it (tests/server_process.py), at log level
WARNING so that logging is not measured. moto runs as `python -m moto.server` from the
same venv, with its default (threaded werkzeug) server, i.e. as its users run it.
Both expose a reset (`/_ecsd/reset`, `/moto-api/reset`) so that a benchmark can start a
phase from empty state without restarting either.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
from server_process import EcsdProcess, free_port, stop_process
from wire import Wire

_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User+system CPU seconds of a process, all its threads included."""
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


class Server:
    name: str
    url: str

    @property
    def pid(self) -> int:
        raise NotImplementedError

    def reset(self) -> None:
        raise NotImplementedError

    def stop(self) -> None:
        raise NotImplementedError

    def send(self, wire: Wire, timeout: float = 30.0) -> tuple[int, bytes]:
        """One request, outside the load generator: for checks before a row."""
        req = urllib.request.Request(
            self.url + wire.path, data=wire.body, headers=wire.headers, method=wire.method
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:
                return resp.status, resp.read()
        except urllib.error.HTTPError as err:
            return err.code, err.read()


class Ecsd(Server):
    name = "ecsd"

    def __init__(self, workdir: Path, *extra: str) -> None:
        self.process = EcsdProcess(workdir / "ecsd-data", None, "--log-level", "WARNING", *extra)
        self.process.start()
        self.url = self.process.url

    @property
    def pid(self) -> int:
        assert self.process.proc is not None
        return self.process.proc.pid

    def reset(self) -> None:
        self.process.reset()

    def stop(self) -> None:
        self.process.stop()

    def log(self) -> str:
        return self.process.log()


class Moto(Server):
    name = "moto"

    def __init__(self, workdir: Path, timeout: float = 30.0) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = workdir / f"moto-{self.port}.log"
        with open(self.log_path, "ab") as log:  # the child keeps its own copy
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "moto.server", "-H", "127.0.0.1", "-p", str(self.port)],
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"moto exited with {self.proc.returncode}: {self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/moto-api/data.json", timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"moto did not become ready: {self.log()}")

    @property
    def pid(self) -> int:
        return self.proc.pid

    def reset(self) -> None:
        req = urllib.request.Request(f"{self.url}/moto-api/reset", method="POST", data=b"")
        with urllib.request.urlopen(req, timeout=60):
            pass

    def stop(self) -> None:
        stop_process(self.proc)

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

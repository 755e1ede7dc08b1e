"""Start and stop real `ecsd serve` processes for tests and benchmarks."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 15.0) -> None:
    """SIGTERM, then SIGKILL if it has not gone within `timeout`."""
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class EcsdProcess:
    """One `ecsd serve` on a free port with its own data dir."""

    def __init__(
        self,
        data_dir: Path,
        port: int | None = None,
        *extra: str,
        env: dict[str, str] | None = None,
        prefix: tuple[str, ...] = (),
    ) -> None:
        self.data_dir = data_dir
        self.prefix = prefix  # e.g. setpriv …: run the server as another user
        self.port = port or free_port()
        self.extra = extra
        self.env = env or {}
        self.proc: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir.parent / f"ecsd-{self.port}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 20.0) -> EcsdProcess:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        log = open(self.log_path, "ab")
        self.proc = subprocess.Popen(
            [
                *self.prefix,
                sys.executable,
                "-m",
                "ecsd",
                "serve",
                "--port",
                str(self.port),
                "--data-dir",
                str(self.data_dir),
                "--log-level",
                "INFO",
                *self.extra,
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **self.env},
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"ecsd exited with {self.proc.returncode}: {self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/_ecsd/health", timeout=1):
                    return self
            except OSError:
                time.sleep(0.05)
        raise RuntimeError(f"ecsd did not become ready: {self.log()}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill9(self) -> None:
        assert self.proc is not None
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        if self.proc is not None:
            stop_process(self.proc)

    def close(self) -> None:
        """The end of a fixture: remove every container this server started (no test
        leaves containers behind on the engine), then stop it."""
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.reset()
            except OSError:
                pass  # a server that no longer answers has its containers swept later
        self.stop()

    def reset(self) -> None:
        # An admin write refuses form content types (CSRF guard): say what is sent.
        req = urllib.request.Request(
            f"{self.url}/_ecsd/reset",
            method="POST",
            data=b"",
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(req, timeout=30):
                pass
        except TimeoutError as e:
            # Say what the server was doing: the reason is in its log, not in this client.
            raise TimeoutError(
                f"/_ecsd/reset timed out; server log tail:\n{self.log()[-4000:]}"
            ) from e

"""Settings of one `ecsd serve`, from flags or the matching ECSD_* environment variables."""

from __future__ import annotations

import os
import stat
import uuid
from dataclasses import dataclass
from pathlib import Path

import platformdirs

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 4600
DEFAULT_REGION = "us-east-1"
DEFAULT_ACCOUNT = "000000000000"
DEFAULT_STOPPED_TASK_RETENTION = 3600  # seconds a STOPPED task stays describable, as on ECS
# Seconds a service task without health checks must be RUNNING before a deployment counts
# it as healthy. ECS waits about 40 s; locally a container that dies on start is seen
# dying within a few hundred milliseconds, so 1 s keeps the behaviour (a crashing task
# never replaces a good one) without making every rollout wait.
DEFAULT_TASK_HEALTHY_AFTER = 1.0
# Bounds on what one HTTP client may hold (see ecsd/http_guard.py): a request's headers
# must arrive within HEADER_TIMEOUT of its first byte (or of the connection), its body
# within BODY_TIMEOUT of the headers; an idle keep-alive connection is closed after
# IDLE_TIMEOUT; at most MAX_CONNECTIONS are open at once.
DEFAULT_HEADER_TIMEOUT = 10.0
DEFAULT_BODY_TIMEOUT = 60.0
DEFAULT_IDLE_TIMEOUT = 15.0
DEFAULT_MAX_CONNECTIONS = 256


def default_lb_workers() -> int:
    """The load balancers' worker processes `ecsd serve` starts: one per core but one, at
    least 1 and at most 4. The core left is ecsd's own and the clients' and targets' on
    the same machine: on a 2-core box two workers measured 0.42-0.67x of nginx and one
    0.51-1.02x (bench/README.md); see docs/architecture.md."""
    return max(1, min(4, (os.cpu_count() or 1) - 1))


def default_data_dir() -> Path:
    return Path(platformdirs.user_data_dir("ecsd"))


@dataclass(frozen=True)
class Settings:
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    data_dir: Path = Path(".")
    region: str = DEFAULT_REGION
    account_id: str = DEFAULT_ACCOUNT
    # The Docker Engine API (or Podman's); None means DOCKER_HOST or the local socket.
    docker_host: str | None = None
    # Where task ports are published on this machine.
    bind_host: str = "127.0.0.1"
    stopped_task_retention: float = DEFAULT_STOPPED_TASK_RETENTION
    task_healthy_after: float = DEFAULT_TASK_HEALTHY_AFTER
    # Host names (besides loopback, IP literals and `host`) requests may be addressed to:
    # the DNS-rebinding guard. See http_guard.served_hosts, the one place names are added.
    allowed_hosts: tuple[str, ...] = ()
    # SigV4 verification of every request against `access_keys` (id -> secret).
    auth: bool = False
    access_keys: tuple[tuple[str, str], ...] = ()
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    idle_timeout: float = DEFAULT_IDLE_TIMEOUT
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    # Where tasks reach ecsd on the engine's bridge gateway (0: ecsd's own port), and
    # whether containers get AWS_ENDPOINT_URL pointing there (see ecsd/taskside/).
    taskside_port: int = 0
    task_endpoint: bool = True
    # Processes serving the load balancers' listeners (lb/workers.py); 0: in ecsd's own
    # process (lb/plane.py). A Settings made in code (tests) stays in-process.
    lb_workers: int = 0
    # Seconds of one CloudWatch metric period (AWS: 60): a Period of 60 in an alarm is one
    # metric period, so a smaller value compresses the metric clock for local runs.
    metric_period: float = 60.0
    # Whether ecsd samples its running tasks' containers for the `AWS/ECS` metrics
    # (controllers/task_metrics.py); off for measuring ecsd without it.
    task_metrics: bool = True

    @property
    def database(self) -> Path:
        return self.data_dir / "ecsd.db"

    def instance_id(self) -> str:
        """This data dir's identity, made once: it labels every container this ecsd
        starts, so that several ecsd (tests, users) can share one Docker engine and each
        finds, adopts and cleans up only its own."""
        path = self.data_dir / "instance-id"
        try:
            return path.read_text().strip()
        except FileNotFoundError:
            self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            new = uuid.uuid4().hex[:12]
            tmp = path.with_suffix(f".{os.getpid()}")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(fd, "w") as f:
                f.write(new)
            os.replace(tmp, path)
            return path.read_text().strip()

    def secure_data_dir(self) -> None:
        """Make the data dir private to its owner before anything is stored in it.

        The database holds every resource (sealed secrets among them) and `master.key`
        opens the sealed values: the dir is 0700 and its files 0600, fixed on every start
        if someone loosened them. The database file is created here with 0600, before
        SQLite opens it, because SQLite gives its -wal and -shm files the mode of the
        database file.
        """
        self.data_dir.mkdir(mode=0o700, parents=True, exist_ok=True)
        _restrict(self.data_dir, 0o700)
        db = self.database
        os.close(os.open(db, os.O_WRONLY | os.O_CREAT, 0o600))
        for path in (
            db,
            db.with_name(db.name + "-wal"),
            db.with_name(db.name + "-shm"),
            self.data_dir / "master.key",
            self.data_dir / "instance-id",
            self.data_dir / "taskside.key",
        ):
            _restrict(path, 0o600)


def _restrict(path: Path, mode: int) -> None:
    """chmod to `mode` if the path exists and allows more than that."""
    try:
        current = stat.S_IMODE(path.stat().st_mode)
    except FileNotFoundError:
        return
    if current & ~mode:
        os.chmod(path, current & mode)

"""Settings of one `ecsd serve`, from flags or the matching ECSD_* environment variables."""

from __future__ import annotations

import os
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
            self.data_dir.mkdir(parents=True, exist_ok=True)
            new = uuid.uuid4().hex[:12]
            tmp = path.with_suffix(f".{os.getpid()}")
            tmp.write_text(new)
            os.replace(tmp, path)
            return path.read_text().strip()

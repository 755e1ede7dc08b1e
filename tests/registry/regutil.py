"""The registry as tests drive it: a repository and a password on a running ecsd (made
through the model until the ECR API is merged, see setup_model.py), an HTTP session that
authenticates as docker does, the docker CLI with its own config dir (the machine's
logins are untouched), and a small image built locally FROM the test busybox."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import requests

sys.path.insert(0, str(Path(__file__).parent))
from setup_model import create_repository, password  # noqa: E402

BASE_IMAGE = "ecsd-test/busybox:latest"


class Registry:
    def __init__(self, server: Any, config_dir: Path) -> None:
        self.server = server
        self.data_dir: Path = server.data_dir
        self.port: int = server.port
        self.host = f"127.0.0.1:{server.port}"
        self.url = f"http://{self.host}"
        self.config_dir = config_dir
        self.password = password(self.data_dir, self.port)
        self.http = requests.Session()
        self.http.auth = ("AWS", self.password)

    def create(self, name: str, **kw: Any) -> dict[str, Any]:
        return create_repository(self.data_dir, self.port, name, **kw)

    def docker(self, *args: str, stdin: str | None = None, check: bool = True) -> Any:
        out = subprocess.run(
            ["docker", "--config", str(self.config_dir), *args],
            input=stdin,
            capture_output=True,
            text=True,
            timeout=300,
        )
        if check and out.returncode != 0:
            raise AssertionError(f"docker {' '.join(args)} failed: {out.stdout}{out.stderr}")
        return out

    def login(self) -> None:
        self.docker(
            "login", "--username", "AWS", "--password-stdin", self.host, stdin=self.password
        )

    def blob_files(self) -> list[Path]:
        root = self.data_dir / "blobs"
        return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def build_image(context: Path, tag: str, extra_run: str = "") -> None:
    """A two-layer image FROM the test busybox (no Docker Hub), tagged `tag`."""
    context.mkdir(parents=True, exist_ok=True)
    (context / "Dockerfile").write_text(
        f"FROM {BASE_IMAGE}\n"
        f"RUN echo {uuid.uuid4().hex} > /id && head -c 200000 /dev/urandom > /rand{extra_run}\n"
        'CMD ["sleep", "60"]\n'
    )
    subprocess.run(
        ["docker", "build", "-q", "-t", tag, str(context)],
        check=True,
        capture_output=True,
        env={"DOCKER_BUILDKIT": "0", "PATH": "/usr/bin:/bin:/usr/local/bin"},
    )

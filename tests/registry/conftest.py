"""Fixtures for the registry tests (regutil.py holds the helpers)."""

from __future__ import annotations

import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent))
from regutil import Registry, build_image  # noqa: E402


@pytest.fixture
def registry(ecsd: Any, tmp_path: Path) -> Iterator[Registry]:
    reg = Registry(ecsd, tmp_path / "docker-config")
    yield reg
    reg.http.close()


@pytest.fixture(scope="session")
def small_image(docker_engine: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tag = f"ecsd-test/registry-src:{uuid.uuid4().hex[:8]}"
    build_image(tmp_path_factory.mktemp("image"), tag)
    yield tag
    subprocess.run(["docker", "rmi", "-f", tag], capture_output=True)

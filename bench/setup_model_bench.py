"""Until ecsd serves the ECR API, the benchmark makes its repository and password through
the model on ecsd's data dir (SQLite takes a second writer; the password is sealed with
the data dir's key)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from ecsd.config import Settings
from ecsd.core.unit import Unit
from ecsd.model.ecr import repositories, tokens
from ecsd.store import Store
from ecsd.store.schema import metadata  # noqa: F401  (tables registered)

T = TypeVar("T")


def _in(data_dir: Path, port: int, fn: Callable[[Unit], T]) -> T:
    settings = Settings(data_dir=data_dir, port=port)
    store = Store(settings.database)
    try:
        return store.write_sync(
            lambda conn: fn(Unit(conn, settings.region, settings.account_id, settings))
        )
    finally:
        store.close()


def create_and_mint(data_dir: Path, port: int) -> tuple[str, str]:
    doc: dict[str, Any] = _in(data_dir, port, lambda u: repositories.create(u, "bench"))
    return doc["repositoryUri"], mint(data_dir, port)


def mint(data_dir: Path, port: int) -> str:
    return _in(data_dir, port, tokens.mint)[0]

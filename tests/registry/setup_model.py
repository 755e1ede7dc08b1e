"""Test setup through the model, against a running ecsd's data dir: create a repository
and mint a registry password as GetAuthorizationToken would (SQLite in WAL mode takes a
second writer; the password is sealed with the data dir's key)."""

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


def in_data_dir(data_dir: Path, port: int, fn: Callable[[Unit], T]) -> T:
    settings = Settings(data_dir=data_dir, port=port)
    store = Store(settings.database)
    try:

        def body(conn: Any) -> T:
            return fn(Unit(conn, settings.region, settings.account_id, settings))

        return store.write_sync(body)
    finally:
        store.close()


def create_repository(data_dir: Path, port: int, name: str, **kw: Any) -> dict[str, Any]:
    return in_data_dir(data_dir, port, lambda u: repositories.create(u, name, **kw))


def password(data_dir: Path, port: int) -> str:
    return in_data_dir(data_dir, port, tokens.mint)[0]

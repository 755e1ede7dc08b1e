"""A data dir made by an older ecsd gains the indexes added since, on the next start."""

from __future__ import annotations

import sqlite3

from ecsd.services import all_providers
from ecsd.store import Store


def test_an_index_missing_from_an_existing_table_is_created_on_open(tmp_path):
    all_providers()  # registers every table
    Store(tmp_path / "ecsd.db").close()
    with sqlite3.connect(tmp_path / "ecsd.db") as db:
        db.execute("DROP INDEX tasks_by_group")  # as a data dir from before services
    Store(tmp_path / "ecsd.db").close()
    with sqlite3.connect(tmp_path / "ecsd.db") as db:
        names = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='index'")}
    assert "tasks_by_group" in names

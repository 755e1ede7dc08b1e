"""A query to page and the columns that order it: what a model's listing function hands
to services/pagination.py, so that handlers page rows without knowing the tables."""

from __future__ import annotations

from typing import Any, NamedTuple

from sqlalchemy.sql import ColumnElement, Select


class Keyset(NamedTuple):
    """`query` in the order of `key` (its unique sort key, the token's content)."""

    query: Select[Any]
    key: list[ColumnElement[Any]]

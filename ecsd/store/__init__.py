"""The store is the truth: every resource ecsd knows lives here, nothing only in memory.

`Store` runs each unit of work as one SQLite transaction on a worker thread (writes on
one dedicated thread, so they are serialised exactly as SQLite would anyway; reads on a
small pool, which WAL lets proceed beside a write).
"""

from .db import Store

__all__ = ["Store"]

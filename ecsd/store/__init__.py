"""The store is the truth: every resource ecsd knows lives here, nothing only in memory.

`Store` runs each write unit of work in its own savepoint on one dedicated writer thread,
committing the queued units together (one fsync for the group, every caller answered only
after the commit); reads run as transactions on a small pool, which WAL lets proceed beside
a write.
"""

from .db import Store

__all__ = ["Store"]

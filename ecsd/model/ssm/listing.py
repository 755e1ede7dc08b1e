"""The parameter queries GetParametersByPath and DescribeParameters page by name. A path
is an index range: one level is `parent = path`, recursive is the name range under
`path/`."""

from __future__ import annotations

from sqlalchemy import or_, select

from ...core.unit import Unit
from ...store.schema.ssm import ssm_parameters as params
from ..keyset import Keyset


def parameters(unit: Unit, path: str | None = None, *, recursive: bool = False) -> Keyset:
    """The unit's region's parameters (under `path`, if given), by name."""
    q = select(params).where(params.c.region == unit.region)
    if path == "/":
        # A name without a slash is a top-level one, as `/foo` is (names.spellings):
        # GetParametersByPath with Path `/` lists both, as Parameter Store does.
        if not recursive:
            q = q.where(or_(params.c.parent == "/", params.c.parent.is_(None)))
    elif path is not None:
        if not recursive:
            q = q.where(params.c.parent == path)
        else:
            # "0" is the character after "/": [path/, path0) is every name under the path.
            q = q.where(params.c.name >= path + "/", params.c.name < path + "0")
    return Keyset(q, [params.c.name])

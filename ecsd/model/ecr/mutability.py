"""Which tags a push may move: imageTagMutability with its exclusion filters. One answer
for PutImage and the registry's manifest PUT (images.put_manifest asks it)."""

from __future__ import annotations

import re
from typing import Any


def _wildcard(pattern: str) -> re.Pattern[str]:
    return re.compile(".*".join(re.escape(p) for p in pattern.split("*")))


def tag_is_mutable(mutability: str, filters: list[dict[str, Any]], tag: str) -> bool:
    """MUTABLE; IMMUTABLE_WITH_EXCLUSION for a tag a filter matches; MUTABLE_WITH_EXCLUSION
    for a tag none matches. IMMUTABLE never."""
    if mutability == "MUTABLE":
        return True
    if mutability == "IMMUTABLE":
        return False
    excluded = any(_wildcard(str(f.get("filter", ""))).fullmatch(tag) for f in filters)
    if mutability == "IMMUTABLE_WITH_EXCLUSION":
        return excluded
    return not excluded


def repository_allows(repo: Any, tag: str) -> bool:
    """Whether `repo` (a repository row) lets a push move `tag`."""
    return tag_is_mutable(
        repo.mutability, list(repo.doc.get("imageTagMutabilityExclusionFilters") or []), tag
    )

"""EC2's paging: MaxResults (5–1000 on most Describe calls) and NextToken, over a list
already filtered in Python (EC2's filters match JSON fields and tags, and a region's
networking records are few), ordered by id so a page continues after the last id."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from ...aws.errors import AwsError
from ...model.ec2.errors import bad_token
from .. import pagination

T = TypeVar("T")


def page(
    items: Sequence[T],
    key: Callable[[T], str],
    p: dict[str, Any],
    *,
    minimum: int = 5,
    maximum: int = 1000,
) -> tuple[list[T], dict[str, Any]]:
    """One page of `items` (sorted here by `key`) and `{"NextToken": …}` when more are left."""
    size = p.get("MaxResults")
    if size is not None and not minimum <= size <= maximum:
        raise AwsError(
            "InvalidParameterValue",
            f"Value ( {size} ) for parameter maxResults is invalid. "
            f"Expecting a value between {minimum} and {maximum}.",
        )  # ecsd's own text
    after = pagination.decode_token(p.get("NextToken"), [str], error=bad_token())
    ordered = sorted(items, key=key)
    if after is not None:
        ordered = [i for i in ordered if key(i) > after[0]]
    if size is None or len(ordered) <= size:
        return list(ordered), {}
    return list(ordered[:size]), {"NextToken": pagination.encode_token([key(ordered[size - 1])])}

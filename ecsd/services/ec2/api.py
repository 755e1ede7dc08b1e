"""The EC2 provider object (botocore's `ec2` protocol: protocols/ec2.py), and
`records`, the way every operation on a region's networking records registers."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from ...aws.provider import Context, Handler, Provider
from ...model.ec2 import defaults

ec2 = Provider("ec2")


def records(name: str) -> Callable[[Handler], Handler]:
    """Register `name` as an operation on the region's EC2 records. It runs as a write
    even when it only reads, because the first touch of a region makes the region's
    default VPC (model/ec2/defaults.py), in the same transaction as the call."""

    def register(fn: Handler) -> Handler:
        @functools.wraps(fn)
        def run(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
            defaults.ensure(ctx)
            return fn(ctx, p)

        ec2.operation(name, write=True)(run)
        return fn

    return register

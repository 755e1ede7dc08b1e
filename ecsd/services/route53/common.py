"""What the Route 53 handlers share: MaxItems (a string on Route 53's wire)."""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError


def max_items(p: dict[str, Any], default: int = 100) -> int:
    raw = p.get("MaxItems")
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise AwsError("InvalidInput", f"MaxItems must be a number, not {raw!r}.") from None
    if value < 1:
        raise AwsError("InvalidInput", "MaxItems must be at least 1.")
    return min(value, default)


def bare(zone_id: str, prefix: str = "/hostedzone/") -> str:
    """An id as stored: botocore strips `/hostedzone/`; the CLI and curl may not."""
    return zone_id[len(prefix) :] if zone_id.startswith(prefix) else zone_id

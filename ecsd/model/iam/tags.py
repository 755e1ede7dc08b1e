"""Tags on IAM entities (roles, managed policies, instance profiles): one rule for all.

Each entity keeps its tags in its doc as IAM answers them (`[{Key, Value}]`, in the
order first set); a tag set again keeps its place and takes the new value. IAM allows
50 tags per entity.
"""

from __future__ import annotations

from ...aws.errors import AwsError

MAX_TAGS = 50

Tags = list[dict[str, str]]


def merged(have: Tags, new: Tags, kind: str) -> Tags:
    """`have` with `new` set over it; LimitExceeded past 50 (`kind`: "Role", "Policy",
    "InstanceProfile", as IAM names the quota)."""
    merged = {t["Key"]: t.get("Value", "") for t in have}
    for t in new:
        merged[t["Key"]] = t.get("Value", "")
    if len(merged) > MAX_TAGS:
        raise AwsError("LimitExceeded", f"Cannot exceed quota for TagsPer{kind}: {MAX_TAGS}.")
    return [{"Key": k, "Value": v} for k, v in merged.items()]


def without(have: Tags, keys: list[str]) -> Tags:
    gone = set(keys)
    return [t for t in have if t["Key"] not in gone]

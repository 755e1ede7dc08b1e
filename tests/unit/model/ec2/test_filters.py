"""EC2's generic filters: wildcards, OR within a filter, AND across filters, tags."""

from __future__ import annotations

import pytest

from ecsd.aws.errors import AwsError
from ecsd.model.ec2 import filters

FIELDS = {"name": lambda d: d["name"], "flag": lambda d: d["flag"]}
ITEMS = [
    {"name": "web-1", "flag": True, "tags": {"env": "prod"}},
    {"name": "web-22", "flag": False, "tags": {"env": "dev", "team": "a*b"}},
    {"name": "db", "flag": False, "tags": {}},
]


def _names(fs):
    return [i["name"] for i in filters.select(ITEMS, fs, FIELDS, lambda d: d["tags"])]


def test_wildcards_or_and():
    assert _names([{"Name": "name", "Values": ["web-?"]}]) == ["web-1"]
    assert _names([{"Name": "name", "Values": ["web-*"]}]) == ["web-1", "web-22"]
    assert _names([{"Name": "name", "Values": ["db", "web-1"]}]) == ["web-1", "db"]
    assert _names(
        [{"Name": "name", "Values": ["web*"]}, {"Name": "flag", "Values": ["false"]}]
    ) == ["web-22"]
    assert _names([{"Name": "name", "Values": ["WEB-1"]}]) == []  # case-sensitive


def test_tag_filters_and_escapes():
    assert _names([{"Name": "tag:env", "Values": ["prod"]}]) == ["web-1"]
    assert _names([{"Name": "tag-key", "Values": ["team"]}]) == ["web-22"]
    assert _names([{"Name": "tag-value", "Values": ["d*"]}]) == ["web-22"]
    assert _names([{"Name": "tag:team", "Values": ["a\\*b"]}]) == ["web-22"]
    assert _names([{"Name": "tag:team", "Values": ["a\\*c"]}]) == []


def test_unknown_name_is_refused_even_with_nothing_to_filter():
    with pytest.raises(AwsError) as err:
        filters.select([], [{"Name": "nope", "Values": ["x"]}], FIELDS)
    assert (err.value.code, err.value.message) == (
        "InvalidParameterValue",
        "The filter 'nope' is invalid",
    )

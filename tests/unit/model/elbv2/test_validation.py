"""The checks both the API and the controller rely on: names, attributes, health checks,
conditions (both forms, AWS's limits)."""

from __future__ import annotations

import pytest

from ecsd.aws.errors import AwsError
from ecsd.model.elbv2 import conditions, defaults


@pytest.mark.parametrize("name", ["a", "web-1", "A" * 32, "a-b-c"])
def test_good_names(name):
    defaults.check_name("Target group", name)


@pytest.mark.parametrize("name", ["", "a" * 33, "-a", "a-", "a_b", "a.b"])
def test_bad_names(name):
    with pytest.raises(AwsError) as err:
        defaults.check_name("Target group", name)
    assert err.value.code == "ValidationError"


def test_attributes_are_all_checked_before_any_is_kept():
    current = defaults.defaults(defaults.TG_ATTRIBUTES)
    with pytest.raises(AwsError):
        defaults.apply_attributes(
            "Target group",
            defaults.TG_ATTRIBUTES,
            current,
            [
                {"Key": "deregistration_delay.timeout_seconds", "Value": "10"},
                {"Key": "slow_start.duration_seconds", "Value": "29"},
            ],
        )
    assert current["deregistration_delay.timeout_seconds"] == "300"
    out = defaults.apply_attributes(
        "Target group",
        defaults.TG_ATTRIBUTES,
        current,
        [{"Key": "slow_start.duration_seconds", "Value": "900"}],
    )
    assert (
        out["slow_start.duration_seconds"] == "900"
        and current["slow_start.duration_seconds"] == "0"
    )


@pytest.mark.parametrize(
    ("key", "value", "ok"),
    [
        ("deregistration_delay.timeout_seconds", "0", True),
        ("deregistration_delay.timeout_seconds", "3600", True),
        ("deregistration_delay.timeout_seconds", "3601", False),
        ("deregistration_delay.timeout_seconds", "-1", False),
        ("slow_start.duration_seconds", "0", True),
        ("slow_start.duration_seconds", "30", True),
        ("slow_start.duration_seconds", "901", False),
        ("stickiness.enabled", "True", False),
        ("load_balancing.algorithm.type", "weighted_random", True),
    ],
)
def test_target_group_attribute_bounds(key, value, ok):
    apply = lambda: defaults.apply_attributes(  # noqa: E731
        "Target group", defaults.TG_ATTRIBUTES, {}, [{"Key": key, "Value": value}]
    )
    if ok:
        apply()
    else:
        with pytest.raises(AwsError):
            apply()


def health(**kw):
    doc = {**defaults.HEALTH_CHECK_DEFAULTS, "HealthCheckProtocol": "HTTP", "Protocol": "HTTP"}
    doc.update(kw)
    return doc


@pytest.mark.parametrize(
    "kw",
    [
        {"HealthCheckTimeoutSeconds": 30},
        {"Matcher": {"HttpCode": "199"}},
        {"Matcher": {"HttpCode": "200-500"}},
        {"Matcher": {"HttpCode": "2xx"}},
        {"HealthCheckPort": "0"},
        {"HealthCheckPort": "http"},
        {"HealthCheckPath": "x"},
        {"HealthCheckProtocol": "TCP"},
    ],
)
def test_bad_health_checks(kw):
    with pytest.raises(AwsError):
        defaults.check_health_check(health(**kw))


@pytest.mark.parametrize("matcher", ["200", "200,202", "200-299", "200-299,404"])
def test_good_matchers(matcher):
    defaults.check_health_check(health(Matcher={"HttpCode": matcher}, HealthCheckPort="8080"))


def test_both_condition_forms_store_alike():
    legacy = conditions.check([{"Field": "host-header", "Values": ["a.example.com"]}])
    config = conditions.check(
        [{"Field": "host-header", "HostHeaderConfig": {"Values": ["a.example.com"]}}]
    )
    assert (
        legacy
        == config
        == [
            {
                "Field": "host-header",
                "Values": ["a.example.com"],
                "HostHeaderConfig": {"Values": ["a.example.com"]},
            }
        ]
    )


def test_five_values_over_all_conditions():
    ok = [
        {"Field": "path-pattern", "Values": ["/a", "/b"]},
        {"Field": "host-header", "Values": ["a.com", "b.com", "c.com"]},
    ]
    conditions.check(ok)
    with pytest.raises(AwsError):
        conditions.check(
            ok + [{"Field": "http-request-method", "HttpRequestMethodConfig": {"Values": ["GET"]}}]
        )


def test_headers_and_query_strings_may_repeat():
    out = conditions.check(
        [
            {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "A", "Values": ["1"]}},
            {"Field": "http-header", "HttpHeaderConfig": {"HttpHeaderName": "B", "Values": ["2"]}},
            {"Field": "query-string", "QueryStringConfig": {"Values": [{"Value": "x"}]}},
        ]
    )
    assert out[2] == {"Field": "query-string", "QueryStringConfig": {"Values": [{"Value": "x"}]}}

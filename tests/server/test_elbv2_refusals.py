"""A refused ELBv2 request changes nothing: a world of load balancers, listeners, rules,
target groups and targets is read from the store's file before and after a volley of
requests ELBv2 refuses for what they mean (not for their shape — the fuzz test does
that), and every table is the same (targets' health aside: the checks write it)."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from botocore.exceptions import ClientError
from conftest import client_for

VPC = "vpc-0123456789abcdef0"
# Targets on loopback, on a port where nothing listens: once the data plane serves the
# listener, its health checks stay on this machine.


def _query(table: str) -> str:
    # A target's health columns are the health checks' to write, whenever they run (once
    # the data plane serves a listener): the registration is what a request may change.
    if table == "elbv2_targets":
        return (
            "SELECT tg_arn, target_id, port, availability_zone, registered_at, drain_until "
            "FROM elbv2_targets"
        )
    return f"SELECT * FROM {table}"


def snapshot(database: Any) -> dict[str, list[tuple[Any, ...]]]:
    """Every ELBv2 table's rows (targets without their health), read-only."""
    conn = sqlite3.connect(f"file:{database}?mode=ro", uri=True)
    try:
        names = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name LIKE 'elbv2_%'"
            )
        ]
        assert names, "no ELBv2 tables in the store"
        return {n: sorted(map(tuple, conn.execute(_query(n))), key=repr) for n in names}
    finally:
        conn.close()


def test_refused_requests_change_nothing(client, ecsd):
    elb = client("elbv2")
    lb = elb.create_load_balancer(Name="web", Subnets=["s-a", "s-b"])["LoadBalancers"][0]
    lb_arn = lb["LoadBalancerArn"]
    tg = elb.create_target_group(Name="app", Protocol="HTTP", Port=1, VpcId=VPC, TargetType="ip")[
        "TargetGroups"
    ][0]["TargetGroupArn"]
    spare = elb.create_target_group(
        Name="spare", Protocol="HTTP", Port=80, VpcId=VPC, TargetType="ip"
    )["TargetGroups"][0]["TargetGroupArn"]
    la = elb.create_listener(
        LoadBalancerArn=lb_arn,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
    )["Listeners"][0]["ListenerArn"]
    rule = elb.create_rule(
        ListenerArn=la,
        Priority=1,
        Conditions=[{"Field": "path-pattern", "Values": ["/a"]}],
        Actions=[{"Type": "forward", "TargetGroupArn": tg}],
    )["Rules"][0]["RuleArn"]
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": "127.0.0.2"}])
    elb.add_tags(ResourceArns=[lb_arn], Tags=[{"Key": "k", "Value": "v"}])
    elb.modify_load_balancer_attributes(
        LoadBalancerArn=lb_arn, Attributes=[{"Key": "deletion_protection.enabled", "Value": "true"}]
    )
    path = [{"Field": "path-pattern", "Values": ["/b"]}]
    fwd = [{"Type": "forward", "TargetGroupArn": spare}]
    missing_tg = tg[:-16] + "f" * 16
    refused = [
        lambda: elb.create_load_balancer(Name="web", Subnets=["s-a", "s-c"]),
        lambda: elb.create_load_balancer(Name="bad_name", Subnets=["s-a", "s-b"]),
        lambda: elb.delete_load_balancer(LoadBalancerArn=lb_arn),
        lambda: elb.create_target_group(Name="app", Protocol="HTTP", Port=81, VpcId=VPC),
        lambda: elb.delete_target_group(TargetGroupArn=tg),
        lambda: elb.modify_target_group(TargetGroupArn=tg, HealthCheckTimeoutSeconds=60),
        lambda: elb.modify_target_group_attributes(
            TargetGroupArn=tg,
            Attributes=[
                {"Key": "deregistration_delay.timeout_seconds", "Value": "0"},
                {"Key": "slow_start.duration_seconds", "Value": "5"},
            ],
        ),
        lambda: elb.register_targets(
            TargetGroupArn=tg, Targets=[{"Id": "127.0.0.3"}, {"Id": "not-an-ip"}]
        ),
        lambda: elb.deregister_targets(TargetGroupArn=missing_tg, Targets=[{"Id": "127.0.0.2"}]),
        lambda: elb.create_listener(
            LoadBalancerArn=lb_arn, Protocol="HTTP", Port=80, DefaultActions=fwd
        ),
        lambda: elb.create_listener(
            LoadBalancerArn=lb_arn,
            Protocol="HTTP",
            Port=81,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": missing_tg}],
        ),
        lambda: elb.modify_listener(
            ListenerArn=la,
            DefaultActions=[{"Type": "forward", "TargetGroupArn": missing_tg}],
        ),
        lambda: elb.create_rule(ListenerArn=la, Priority=1, Conditions=path, Actions=fwd),
        lambda: elb.create_rule(
            ListenerArn=la,
            Priority=2,
            Conditions=[{"Field": "path-pattern", "Values": ["/*/*/*/*/*/*"]}],
            Actions=fwd,
        ),
        lambda: elb.modify_rule(
            RuleArn=rule,
            Conditions=path,
            Actions=[
                {
                    "Type": "fixed-response",
                    "FixedResponseConfig": {"StatusCode": "200", "ContentType": "x/y"},
                }
            ],
        ),
        lambda: elb.set_rule_priorities(
            RulePriorities=[
                {"RuleArn": rule, "Priority": 7},
                {"RuleArn": rule[:-1] + "0", "Priority": 8},
            ]
        ),
        lambda: elb.add_tags(
            ResourceArns=[lb_arn, missing_tg], Tags=[{"Key": "new", "Value": "v"}]
        ),
        lambda: elb.remove_tags(ResourceArns=[lb_arn, missing_tg], TagKeys=["k"]),
        lambda: elb.set_subnets(LoadBalancerArn=lb_arn, Subnets=["s-only"]),
    ]
    before = snapshot(ecsd.data_dir / "ecsd.db")
    for i, call in enumerate(refused):
        with pytest.raises(ClientError):
            call()
        assert snapshot(ecsd.data_dir / "ecsd.db") == before, (
            f"refused request {i} changed the store"
        )


def test_kill9_keeps_every_elbv2_record(ecsd_factory):
    """What the load-balancing controller re-reads after a crash is all in the store:
    load balancers, attributes, listeners, rules, target groups and registrations."""
    server = ecsd_factory()
    elb = client_for(server, "elbv2")
    lb = elb.create_load_balancer(Name="web", Subnets=["s-a", "s-b"])["LoadBalancers"][0]
    tg = elb.create_target_group(Name="app", Protocol="HTTP", Port=1, VpcId=VPC, TargetType="ip")[
        "TargetGroups"
    ][0]["TargetGroupArn"]
    la = elb.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg}],
    )["Listeners"][0]["ListenerArn"]
    elb.create_rule(
        ListenerArn=la,
        Priority=3,
        Conditions=[{"Field": "path-pattern", "Values": ["/x"]}],
        Actions=[{"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "204"}}],
    )
    elb.modify_target_group_attributes(
        TargetGroupArn=tg, Attributes=[{"Key": "slow_start.duration_seconds", "Value": "30"}]
    )
    elb.register_targets(TargetGroupArn=tg, Targets=[{"Id": "127.0.0.2"}, {"Id": "127.0.0.3"}])
    before = snapshot(server.data_dir / "ecsd.db")
    server.kill9()
    server.start()
    assert snapshot(server.data_dir / "ecsd.db") == before
    assert elb.describe_listeners(ListenerArns=[la])["Listeners"][0]["Port"] == 80
    got = elb.describe_target_health(TargetGroupArn=tg)["TargetHealthDescriptions"]
    assert sorted(d["Target"]["Id"] for d in got) == ["127.0.0.2", "127.0.0.3"]


FORGED = [
    "!!!",
    "x" * 20_000,
    "eyJhIjogMX0=",  # {"a": 1}
    "WzIqKjgwXQ==",  # not JSON
    "WyJcdWQ4MDAiXQ==",  # ["\\ud800"]
    "W1sxXSwgMiwgIngiXQ==",  # [[1], 2, "x"]
]


@pytest.mark.parametrize("marker", FORGED)
def test_forged_markers_are_validation_errors(client, marker):
    elb = client("elbv2")
    lb = elb.create_load_balancer(Name="web", Subnets=["s-a", "s-b"])["LoadBalancers"][0]
    tg = elb.create_target_group(Name="tg", Protocol="HTTP", Port=1, VpcId=VPC)
    la = elb.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[
            {"Type": "forward", "TargetGroupArn": tg["TargetGroups"][0]["TargetGroupArn"]}
        ],
    )["Listeners"][0]["ListenerArn"]
    calls = [
        lambda: elb.describe_load_balancers(Marker=marker),
        lambda: elb.describe_target_groups(Marker=marker),
        lambda: elb.describe_listeners(LoadBalancerArn=lb["LoadBalancerArn"], Marker=marker),
        lambda: elb.describe_rules(ListenerArn=la, Marker=marker),
        lambda: elb.describe_ssl_policies(Marker=marker),
        lambda: elb.describe_account_limits(Marker=marker),
        lambda: elb.describe_listener_certificates(ListenerArn=la, Marker=marker),
    ]
    for call in calls:
        with pytest.raises(ClientError) as err:
            call()
        assert err.value.response["Error"]["Code"] == "ValidationError"
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400

"""Targets in fake time: registration, health as reported by the plane, draining for the
deregistration delay, removal once drained — the functions the controller calls."""

from __future__ import annotations

import pytest

from ecsd.aws.errors import AwsError
from ecsd.core.bus import LoadBalancingChanged
from ecsd.lb.table import HealthReport, Target
from ecsd.model.elbv2 import target_groups, targets
from ecsd.services.elbv2 import listeners as listener_api
from ecsd.services.elbv2 import load_balancers as lb_api
from ecsd.services.elbv2 import target_groups as tg_api


def make_group(unit, name="app", delay="300"):
    tg = tg_api.create_target_group(
        unit, {"Name": name, "Protocol": "HTTP", "Port": 80, "VpcId": "vpc-1", "TargetType": "ip"}
    )["TargetGroups"][0]
    row = target_groups.get_row(unit, tg["TargetGroupArn"])
    attrs = {**row.attributes, "deregistration_delay.timeout_seconds": delay}
    target_groups.set_attributes(unit, row.arn, attrs)
    return tg["TargetGroupArn"]


def attach(unit, tg_arn, name="web"):
    lb = lb_api.create_load_balancer(unit, {"Name": name, "Subnets": ["s-1", "s-2"]})
    lb_arn = lb["LoadBalancers"][0]["LoadBalancerArn"]
    listener_api.create_listener(
        unit,
        {
            "LoadBalancerArn": lb_arn,
            "Protocol": "HTTP",
            "Port": 80,
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": tg_arn}],
        },
    )
    return lb_arn


def report(tg_arn, state, reason=None, description=None, target_id="10.0.0.1", port=80):
    target = Target(id=target_id, port_id=port, host="127.0.0.1", port=32768, check_port=32768)
    return HealthReport(tg_arn, target, state, reason, description)


def test_register_is_initial_and_idempotent(world):
    def go(unit):
        arn = make_group(unit)
        attach(unit, arn)
        targets.register(unit, arn, [("10.0.0.1", None, None)])
        targets.register(unit, arn, [("10.0.0.1", 80, None)])  # no-op
        return arn, targets.health(unit, arn, "10.0.0.1", 80), len(targets.rows(unit, arn))

    arn, health, count = world.run(go)
    assert health == ("initial", "Elb.RegistrationInProgress", "Target registration is in progress")
    assert count == 1
    assert LoadBalancingChanged() in world.events


def test_health_reports_are_stored_and_ignored_once_deregistered(world):
    arn = world.run(lambda u: make_group(u))
    world.run(lambda u: (attach(u, arn), targets.register(u, arn, [("10.0.0.1", 80, None)])))
    world.run(
        lambda u: targets.record_health(
            u,
            report(
                arn,
                "unhealthy",
                "Target.ResponseCodeMismatch",
                "Health checks failed with these codes: [502]",
            ),
        )
    )
    assert world.run(lambda u: targets.health(u, arn, "10.0.0.1", 80)) == (
        "unhealthy",
        "Target.ResponseCodeMismatch",
        "Health checks failed with these codes: [502]",
    )
    world.run(lambda u: targets.record_health(u, report(arn, "healthy")))
    assert world.run(lambda u: targets.health(u, arn, "10.0.0.1", 80)) == ("healthy", None, None)
    # a report for a target never registered is ignored
    world.run(lambda u: targets.record_health(u, report(arn, "healthy", target_id="10.9.9.9")))
    assert world.run(lambda u: targets.find(u, arn, "10.9.9.9", 80)) is None
    world.run(lambda u: targets.deregister(u, arn, [("10.0.0.1", None)]))
    world.run(lambda u: targets.record_health(u, report(arn, "healthy")))
    assert world.run(lambda u: targets.health(u, arn, "10.0.0.1", 80))[0] == "draining"


def test_draining_lasts_the_deregistration_delay(world):
    arn = world.run(lambda u: make_group(u, delay="30"))
    world.run(
        lambda u: (
            attach(u, arn),
            targets.register(u, arn, [("10.0.0.1", 80, None), ("10.0.0.2", 80, None)]),
        )
    )
    world.run(lambda u: targets.deregister(u, arn, [("10.0.0.1", 80), ("10.0.0.2", 80)]))
    assert world.run(lambda u: targets.health(u, arn, "10.0.0.1", 80)) == (
        "draining",
        "Target.DeregistrationInProgress",
        "Target deregistration is in progress",
    )
    world.advance(29)
    assert world.run(lambda u: targets.remove_drained(u, u.now)) == []
    # the plane says 10.0.0.2 has nothing in flight: it goes before the delay ends
    world.run(lambda u: targets.drained(u, arn, "10.0.0.2", 80))
    assert world.run(lambda u: targets.find(u, arn, "10.0.0.2", 80)) is None
    world.advance(1)
    assert world.run(lambda u: targets.remove_drained(u, u.now)) == [(arn, "10.0.0.1", 80)]
    assert world.run(lambda u: targets.health(u, arn, "10.0.0.1", 80)) == (
        "unused",
        "Target.NotRegistered",
        "Target is not registered to the target group",
    )


def test_registering_a_draining_target_takes_it_back(world):
    arn = world.run(lambda u: make_group(u))
    world.run(lambda u: (attach(u, arn), targets.register(u, arn, [("10.0.0.1", 80, None)])))
    world.run(lambda u: targets.deregister(u, arn, [("10.0.0.1", 80)]))
    world.run(lambda u: targets.register(u, arn, [("10.0.0.1", 80, None)]))
    assert world.run(lambda u: targets.health(u, arn, "10.0.0.1", 80))[0] == "initial"


def test_delay_zero_or_an_unused_group_removes_at_once(world):
    zero = world.run(lambda u: make_group(u, name="zero", delay="0"))
    world.run(lambda u: (attach(u, zero), targets.register(u, zero, [("10.0.0.1", 80, None)])))
    world.run(lambda u: targets.deregister(u, zero, [("10.0.0.1", 80)]))
    assert world.run(lambda u: targets.rows(u, zero)) == []
    unused = world.run(lambda u: make_group(u, name="unused"))
    world.run(lambda u: targets.register(u, unused, [("10.0.0.1", 80, None)]))
    world.run(lambda u: targets.deregister(u, unused, [("10.0.0.1", 80)]))
    assert world.run(lambda u: targets.rows(u, unused)) == []


def test_bad_targets_refuse_the_whole_registration(world):
    arn = world.run(lambda u: make_group(u))
    with pytest.raises(AwsError) as err:
        world.run(lambda u: targets.register(u, arn, [("10.0.0.1", 80, None), ("web-1", 80, None)]))
    assert err.value.code == "ValidationError"
    with pytest.raises(AwsError) as err:
        world.run(
            lambda u: targets.register(u, arn, [("10.0.0.1", 80, None), ("1.1.1.1", 80, None)])
        )
    assert err.value.code == "InvalidTarget"
    assert world.run(lambda u: targets.rows(u, arn)) == []


def test_too_many_targets(world):
    arn = world.run(lambda u: make_group(u))
    many = [(f"10.0.{i // 250}.{i % 250 + 1}", 80, None) for i in range(targets.MAX_TARGETS)]
    world.run(lambda u: targets.register(u, arn, many))
    with pytest.raises(AwsError) as err:
        world.run(lambda u: targets.register(u, arn, [("10.9.9.9", 80, None)]))
    assert err.value.code == "TooManyTargets"


def test_addresses_match_the_groups_ip_address_type(world):
    arn = world.run(lambda u: make_group(u))
    with pytest.raises(AwsError) as err:
        world.run(lambda u: targets.register(u, arn, [("fd00::1", 80, None)]))
    assert err.value.code == "ValidationError"

    def v6(u):
        tg = tg_api.create_target_group(
            u,
            {
                "Name": "six",
                "Protocol": "HTTP",
                "Port": 80,
                "VpcId": "vpc-1",
                "TargetType": "ip",
                "IpAddressType": "ipv6",
            },
        )["TargetGroups"][0]["TargetGroupArn"]
        targets.register(u, tg, [("fd00::1", 80, None)])
        return len(targets.rows(u, tg))

    assert world.run(v6) == 1

"""build_table: the routing table the controller hands the data plane, from the records
the API wrote (ecsd/lb/table.py is the contract)."""

from __future__ import annotations

from ecsd.lb import table as t
from ecsd.lb.ports import bind_port_for
from ecsd.model.elbv2 import routing, target_groups, targets
from ecsd.services.elbv2 import attributes as attr_api
from ecsd.services.elbv2 import listeners as listener_api
from ecsd.services.elbv2 import load_balancers as lb_api
from ecsd.services.elbv2 import rules as rule_api
from ecsd.services.elbv2 import target_groups as tg_api


def build(unit):
    lb = lb_api.create_load_balancer(unit, {"Name": "web", "Subnets": ["s-1", "s-2"]})
    lb = lb["LoadBalancers"][0]
    attr_api.modify_load_balancer_attributes(
        unit,
        {
            "LoadBalancerArn": lb["LoadBalancerArn"],
            "Attributes": [{"Key": "idle_timeout.timeout_seconds", "Value": "30"}],
        },
    )
    blue, green = (
        tg_api.create_target_group(
            unit,
            {
                "Name": n,
                "Protocol": "HTTP",
                "Port": 80,
                "VpcId": "vpc-1",
                "TargetType": "ip",
                "HealthCheckPath": "/health",
                "HealthCheckPort": "9000" if n == "green" else None,
                "HealthCheckIntervalSeconds": 5,
                "HealthCheckTimeoutSeconds": 2,
                "Matcher": {"HttpCode": "200-299"},
            },
        )["TargetGroups"][0]["TargetGroupArn"]
        for n in ("blue", "green")
    )
    attr_api.modify_target_group_attributes(
        unit,
        {
            "TargetGroupArn": blue,
            "Attributes": [
                {"Key": "load_balancing.algorithm.type", "Value": "least_outstanding_requests"},
                {"Key": "deregistration_delay.timeout_seconds", "Value": "10"},
                {"Key": "stickiness.enabled", "Value": "true"},
            ],
        },
    )
    listener = listener_api.create_listener(
        unit,
        {
            "LoadBalancerArn": lb["LoadBalancerArn"],
            "Protocol": "HTTP",
            "Port": 80,
            "DefaultActions": [{"Type": "forward", "TargetGroupArn": blue}],
        },
    )["Listeners"][0]
    la = listener["ListenerArn"]
    rule_api.create_rule(
        unit,
        {
            "ListenerArn": la,
            "Priority": 5,
            "Conditions": [
                {"Field": "path-pattern", "Values": ["/api/*"]},
                {
                    "Field": "http-header",
                    "HttpHeaderConfig": {"HttpHeaderName": "X-A", "Values": ["1"]},
                },
                {
                    "Field": "query-string",
                    "QueryStringConfig": {"Values": [{"Key": "v", "Value": "2"}, {"Value": "x"}]},
                },
            ],
            "Actions": [
                {
                    "Type": "forward",
                    "ForwardConfig": {
                        "TargetGroups": [
                            {"TargetGroupArn": blue, "Weight": 3},
                            {"TargetGroupArn": green, "Weight": 1},
                        ],
                        "TargetGroupStickinessConfig": {"Enabled": True, "DurationSeconds": 60},
                    },
                }
            ],
        },
    )
    rule_api.create_rule(
        unit,
        {
            "ListenerArn": la,
            "Priority": 2,
            "Conditions": [{"Field": "host-header", "Values": ["old.example.com"]}],
            "Actions": [
                {
                    "Type": "redirect",
                    "RedirectConfig": {"Host": "new.example.com", "StatusCode": "HTTP_302"},
                }
            ],
        },
    )
    rule_api.create_rule(
        unit,
        {
            "ListenerArn": la,
            "Priority": 9,
            "Conditions": [{"Field": "path-pattern", "Values": ["/down"]}],
            "Actions": [
                {
                    "Type": "fixed-response",
                    "FixedResponseConfig": {
                        "StatusCode": "503",
                        "ContentType": "text/plain",
                        "MessageBody": "no",
                    },
                }
            ],
        },
    )
    targets.register(unit, blue, [("10.0.0.1", None, None), ("10.0.0.2", None, None)])
    targets.register(unit, green, [("10.0.0.3", 8080, None)])
    return lb, blue, green, la


def resolve(target_id, port):
    # the controller's resolver: a task's published port on loopback
    known = {("10.0.0.1", 80): ("127.0.0.1", 40001), ("10.0.0.3", 9000): ("127.0.0.1", 49000)}
    return known.get((target_id, port))


def test_build_table(world):
    lb, blue, green, la = world.run(build)
    world.run(
        lambda u: targets.record_health(
            u,
            t.HealthReport(blue, t.Target("10.0.0.1", 80, "127.0.0.1", 40001, 40001), "healthy"),
        )
    )
    world.run(lambda u: targets.deregister(u, blue, [("10.0.0.2", None)]))
    table = world.run(lambda u: routing.build_table(u, resolve))

    assert len(table.listeners) == 1
    listener = table.listeners[0]
    assert (listener.arn, listener.load_balancer_arn, listener.port) == (
        la,
        lb["LoadBalancerArn"],
        80,
    )
    assert listener.bind_port == bind_port_for(80)
    assert listener.dns_name == lb["DNSName"] and listener.idle_timeout_seconds == 30
    assert [r.priority for r in listener.rules][:3] == [2, 5, 9]
    assert listener.rules[-1].is_default
    assert listener.rules[-1].action == t.Forward((t.WeightedGroup(blue, 1),))
    redirect, weighted, fixed = (r.action for r in listener.rules[:3])
    assert redirect == t.Redirect("HTTP_302", host="new.example.com")
    assert weighted == t.Forward(
        (t.WeightedGroup(blue, 3), t.WeightedGroup(green, 1)),
        stickiness_enabled=True,
        stickiness_seconds=60,
    )
    assert fixed == t.FixedResponse(503, "text/plain", "no")
    assert listener.rules[1].conditions == (
        t.Condition("path-pattern", ("/api/*",)),
        t.Condition("http-header", ("1",), name="X-A"),
        t.Condition("query-string", ("v=2", "=x")),
    )
    assert listener.rules[0].conditions == (t.Condition("host-header", ("old.example.com",)),)

    b = table.group(blue)
    assert b is not None
    assert b.algorithm == "least_outstanding_requests" and b.deregistration_delay_seconds == 10
    assert b.stickiness == t.Stickiness(enabled=True, type="lb_cookie", duration_seconds=86400)
    assert b.health_check == t.HealthCheck(
        path="/health", interval_seconds=5, timeout_seconds=2, matcher="200-299"
    )
    assert b.targets == (t.Target("10.0.0.1", 80, "127.0.0.1", 40001, 40001, known_healthy=True),)
    # 10.0.0.2 is draining, and has no resolved address: dialled as registered
    assert b.draining == (t.Target("10.0.0.2", 80, "10.0.0.2", 80, 80),)
    g = table.group(green)
    assert g is not None
    # the health check port is resolved on its own
    assert g.targets == (t.Target("10.0.0.3", 8080, "10.0.0.3", 8080, 49000),)


def test_an_empty_store_is_an_empty_table(world):
    assert world.run(lambda u: routing.build_table(u, resolve)) == t.Table()


def test_a_group_no_load_balancer_uses_is_not_served(world):
    def go(u):
        arn = tg_api.create_target_group(
            u, {"Name": "idle", "Protocol": "HTTP", "Port": 80, "VpcId": "v", "TargetType": "ip"}
        )["TargetGroups"][0]["TargetGroupArn"]
        targets.register(u, arn, [("10.0.0.1", None, None)])
        return routing.build_table(u, resolve)

    assert world.run(go) == t.Table()


def test_target_group_get_is_the_describe_shape(world):
    lb, blue, _green, _la = world.run(build)
    got = world.run(lambda u: target_groups.get(u, blue))
    assert got["TargetGroupArn"] == blue and got["LoadBalancerArns"] == [lb["LoadBalancerArn"]]
    assert world.run(lambda u: target_groups.get(u, blue + "0")) is None

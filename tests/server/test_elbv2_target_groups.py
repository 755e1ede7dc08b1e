"""ELBv2 target groups and targets, through boto3 and the aws CLI against a real
`ecsd serve`: health-check defaults and bounds, attributes as Terraform reads them,
registration and DescribeTargetHealth's states and reasons, ResourceInUse, and refusals
that change nothing."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error

VPC = "vpc-0123456789abcdef0"


@pytest.fixture
def elb(client):
    return client("elbv2")


def make_tg(elb, name="app", **kw):
    args = {"Protocol": "HTTP", "Port": 8080, "VpcId": VPC, "TargetType": "ip", **kw}
    return elb.create_target_group(Name=name, **args)["TargetGroups"][0]


def make_lb_listener(elb, tg_arn, name="web"):
    lb = elb.create_load_balancer(Name=name, Subnets=["subnet-a", "subnet-b"])["LoadBalancers"][0]
    listener = elb.create_listener(
        LoadBalancerArn=lb["LoadBalancerArn"],
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": tg_arn}],
    )["Listeners"][0]
    return lb, listener


def test_create_with_aws_defaults(elb):
    tg = make_tg(elb)
    assert tg["TargetGroupArn"].startswith(
        "arn:aws:elasticloadbalancing:us-east-1:000000000000:targetgroup/app/"
    )
    expected = {
        "TargetGroupName": "app",
        "Protocol": "HTTP",
        "Port": 8080,
        "VpcId": VPC,
        "HealthCheckProtocol": "HTTP",
        "HealthCheckPort": "traffic-port",
        "HealthCheckEnabled": True,
        "HealthCheckIntervalSeconds": 30,
        "HealthCheckTimeoutSeconds": 5,
        "HealthyThresholdCount": 5,
        "UnhealthyThresholdCount": 2,
        "HealthCheckPath": "/",
        "Matcher": {"HttpCode": "200"},
        "LoadBalancerArns": [],
        "TargetType": "ip",
        "ProtocolVersion": "HTTP1",
        "IpAddressType": "ipv4",
    }
    assert expected.items() <= tg.items()
    assert elb.describe_target_groups(Names=["app"])["TargetGroups"] == [tg]
    assert make_tg(elb)["TargetGroupArn"] == tg["TargetGroupArn"]  # idempotent
    with pytest.raises(ClientError) as err:
        make_tg(elb, Port=9090)
    assert aws_error(err) == (
        "DuplicateTargetGroupName",
        "A target group with the same name 'app' exists, but with different settings",
    )


def test_target_type_defaults_to_instance(elb):
    tg = elb.create_target_group(Name="inst", Protocol="HTTP", Port=80, VpcId=VPC)
    assert tg["TargetGroups"][0]["TargetType"] == "instance"


@pytest.mark.parametrize(
    ("kw", "code", "message"),
    [
        (
            {"HealthCheckIntervalSeconds": 5, "HealthCheckTimeoutSeconds": 5},
            "ValidationError",
            "Health check interval must be greater than the timeout.",
        ),
        ({"HealthCheckIntervalSeconds": 301}, "ValidationError", None),
        ({"HealthyThresholdCount": 11}, "ValidationError", None),
        ({"Matcher": {"HttpCode": "600"}}, "ValidationError", None),
        ({"HealthCheckPath": "health"}, "ValidationError", None),
        ({"Protocol": "TCP"}, "ValidationError", None),
        ({"TargetType": "lambda"}, "ValidationError", None),
        ({"VpcId": None}, "ValidationError", None),
    ],
)
def test_bad_settings_are_refused(elb, kw, code, message):
    args = {"Protocol": "HTTP", "Port": 8080, "VpcId": VPC, "TargetType": "ip", **kw}
    args = {k: v for k, v in args.items() if v is not None}
    with pytest.raises(ClientError) as err:
        elb.create_target_group(Name="bad", **args)
    got = aws_error(err)
    assert got[0] == code
    if message:
        assert got[1] == message
    assert elb.describe_target_groups()["TargetGroups"] == []


def test_modify_health_check(elb):
    arn = make_tg(elb)["TargetGroupArn"]
    out = elb.modify_target_group(
        TargetGroupArn=arn,
        HealthCheckPath="/healthz",
        HealthCheckIntervalSeconds=10,
        HealthyThresholdCount=2,
        Matcher={"HttpCode": "200-299"},
    )["TargetGroups"][0]
    assert (out["HealthCheckPath"], out["HealthCheckIntervalSeconds"]) == ("/healthz", 10)
    assert out["Matcher"] == {"HttpCode": "200-299"}
    with pytest.raises(ClientError) as err:
        elb.modify_target_group(
            TargetGroupArn=arn, HealthCheckPath="/x", HealthCheckTimeoutSeconds=20
        )
    assert aws_error(err) == (
        "ValidationError",
        "Health check interval must be greater than the timeout.",
    )
    assert elb.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"][0][
        "HealthCheckPath"
    ] == ("/healthz")


TG_DEFAULTS = {
    "deregistration_delay.timeout_seconds": "300",
    "slow_start.duration_seconds": "0",
    "load_balancing.algorithm.type": "round_robin",
    "load_balancing.cross_zone.enabled": "use_load_balancer_configuration",
    "stickiness.enabled": "false",
    "stickiness.type": "lb_cookie",
    "stickiness.lb_cookie.duration_seconds": "86400",
    "stickiness.app_cookie.cookie_name": "",
    "stickiness.app_cookie.duration_seconds": "86400",
}


def attrs(answer):
    return {a["Key"]: a["Value"] for a in answer["Attributes"]}


def test_attributes(elb, aws):
    arn = make_tg(elb)["TargetGroupArn"]
    assert (
        TG_DEFAULTS.items()
        <= attrs(elb.describe_target_group_attributes(TargetGroupArn=arn)).items()
    )
    aws.run(
        "elbv2",
        "modify-target-group-attributes",
        "--target-group-arn",
        arn,
        "--attributes",
        "Key=deregistration_delay.timeout_seconds,Value=5",
        "Key=load_balancing.algorithm.type,Value=least_outstanding_requests",
    )
    got = attrs(elb.describe_target_group_attributes(TargetGroupArn=arn))
    assert got["deregistration_delay.timeout_seconds"] == "5"
    assert got["load_balancing.algorithm.type"] == "least_outstanding_requests"
    for key, value in [
        ("deregistration_delay.timeout_seconds", "3601"),
        ("slow_start.duration_seconds", "10"),
        ("load_balancing.algorithm.type", "random"),
        ("stickiness.type", "source_ip"),
    ]:
        with pytest.raises(ClientError) as err:
            elb.modify_target_group_attributes(
                TargetGroupArn=arn,
                Attributes=[
                    {"Key": "stickiness.enabled", "Value": "true"},
                    {"Key": key, "Value": value},
                ],
            )
        assert aws_error(err)[0] == "ValidationError"
    with pytest.raises(ClientError) as err:
        elb.modify_target_group_attributes(
            TargetGroupArn=arn,
            Attributes=[
                {"Key": "stickiness.enabled", "Value": "true"},
                {"Key": "stickiness.type", "Value": "app_cookie"},
            ],
        )
    assert aws_error(err)[0] == "ValidationError"
    assert (
        attrs(elb.describe_target_group_attributes(TargetGroupArn=arn))["stickiness.enabled"]
        == "false"
    )
    with pytest.raises(ClientError) as err:  # slow start and least outstanding requests
        elb.modify_target_group_attributes(
            TargetGroupArn=arn, Attributes=[{"Key": "slow_start.duration_seconds", "Value": "30"}]
        )
    assert aws_error(err)[0] == "ValidationError"
    out = elb.modify_target_group_attributes(
        TargetGroupArn=arn,
        Attributes=[
            {"Key": "slow_start.duration_seconds", "Value": "30"},
            {"Key": "load_balancing.algorithm.type", "Value": "round_robin"},
        ],
    )
    assert attrs(out)["slow_start.duration_seconds"] == "30"


def health(elb, arn, **kw):
    return [
        (
            d["Target"]["Id"],
            d["Target"]["Port"],
            d["TargetHealth"]["State"],
            d["TargetHealth"].get("Reason"),
        )
        for d in elb.describe_target_health(TargetGroupArn=arn, **kw)["TargetHealthDescriptions"]
    ]


# Targets of a group a listener uses are health-checked once the data plane serves it:
# loopback addresses and ports where nothing listens keep those checks on this machine
# (and failing slowly), so a registration still reads `initial` here.
A, B, NOWHERE = "127.0.0.2", "127.0.0.3", "127.0.0.9"
INITIAL = ("Elb.RegistrationInProgress", "Elb.InitialHealthChecking")


def test_register_describe_deregister(elb, aws):
    arn = make_tg(elb, Port=1)["TargetGroupArn"]
    elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": A}, {"Id": B, "Port": 9}])
    # the group serves no load balancer yet: its targets are unused
    assert health(elb, arn) == [
        (A, 1, "unused", "Target.NotInUse"),
        (B, 9, "unused", "Target.NotInUse"),
    ]
    _lb, _listener = make_lb_listener(elb, arn)
    got = elb.describe_target_health(TargetGroupArn=arn)["TargetHealthDescriptions"]
    assert got[0]["Target"] == {"Id": A, "Port": 1} and got[0]["HealthCheckPort"] == "1"
    assert got[0]["TargetHealth"]["State"] == "initial"
    assert got[0]["TargetHealth"]["Reason"] in INITIAL
    # registering again changes nothing
    elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": A}])
    assert len(health(elb, arn)) == 2
    # the Targets filter, with a target that is not registered
    got = health(elb, arn, Targets=[{"Id": NOWHERE, "Port": 1}, {"Id": B}])
    assert got[0] == (NOWHERE, 1, "unused", "Target.NotRegistered")
    assert got[1][:3] == (B, 9, "initial")
    aws.run("elbv2", "deregister-targets", "--target-group-arn", arn, "--targets", f"Id={A}")
    # draining for the deregistration delay, unless the data plane (when it serves the
    # listener) has already said no request is in flight: then it is gone, as on AWS
    assert health(elb, arn, Targets=[{"Id": A}])[0] in (
        (A, 1, "draining", "Target.DeregistrationInProgress"),
        (A, 1, "unused", "Target.NotRegistered"),
    )
    # a target not registered (here: B without its port) is passed over, as on AWS
    elb.deregister_targets(TargetGroupArn=arn, Targets=[{"Id": B}, {"Id": NOWHERE}])
    assert (B, 9, "initial") in [h[:3] for h in health(elb, arn)]
    # with a deregistration delay of 0 a target goes at once
    elb.modify_target_group_attributes(
        TargetGroupArn=arn,
        Attributes=[{"Key": "deregistration_delay.timeout_seconds", "Value": "0"}],
    )
    elb.deregister_targets(TargetGroupArn=arn, Targets=[{"Id": B, "Port": 9}])
    assert B not in [h[0] for h in health(elb, arn)]
    # the waiter real clients use after a deregistration
    elb.get_waiter("target_deregistered").wait(
        TargetGroupArn=arn,
        Targets=[{"Id": B, "Port": 9}],
        WaiterConfig={"Delay": 1, "MaxAttempts": 2},
    )


def test_disabled_health_checks_are_unavailable(elb):
    arn = make_tg(elb, HealthCheckEnabled=False, Port=1)["TargetGroupArn"]
    make_lb_listener(elb, arn)
    elb.register_targets(TargetGroupArn=arn, Targets=[{"Id": A}])
    assert health(elb, arn) == [(A, 1, "unavailable", "Target.HealthCheckDisabled")]


def test_invalid_targets_are_refused_and_nothing_registered(elb):
    ip = make_tg(elb)["TargetGroupArn"]
    with pytest.raises(ClientError) as err:
        elb.register_targets(
            TargetGroupArn=ip, Targets=[{"Id": "10.0.0.1"}, {"Id": "i-0123456789abcdef0"}]
        )
    assert aws_error(err) == ("ValidationError", "IP address 'i-0123456789abcdef0' is not valid")
    for public in ("8.8.8.8", "224.0.0.1", "0.0.0.0"):
        with pytest.raises(ClientError) as err:
            elb.register_targets(TargetGroupArn=ip, Targets=[{"Id": "10.0.0.1"}, {"Id": public}])
        assert aws_error(err) == (
            "InvalidTarget",
            f"The following targets are not in a private IP address range: '{public}'",
        )
    assert health(elb, ip) == []
    inst = make_tg(elb, name="inst", TargetType="instance")["TargetGroupArn"]
    with pytest.raises(ClientError) as err:
        elb.register_targets(TargetGroupArn=inst, Targets=[{"Id": "10.0.0.1"}])
    assert aws_error(err) == ("ValidationError", "Instance ID '10.0.0.1' is not valid")
    elb.register_targets(TargetGroupArn=inst, Targets=[{"Id": "i-0123456789abcdef0"}])
    assert health(elb, inst) == [("i-0123456789abcdef0", 8080, "unused", "Target.NotInUse")]


def test_delete_refused_while_in_use(elb):
    arn = make_tg(elb)["TargetGroupArn"]
    lb, listener = make_lb_listener(elb, arn)
    assert elb.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"][0][
        "LoadBalancerArns"
    ] == [lb["LoadBalancerArn"]]
    assert [
        t["TargetGroupArn"]
        for t in elb.describe_target_groups(LoadBalancerArn=lb["LoadBalancerArn"])["TargetGroups"]
    ] == [arn]
    with pytest.raises(ClientError) as err:
        elb.delete_target_group(TargetGroupArn=arn)
    assert aws_error(err) == (
        "ResourceInUse",
        f"Target group '{arn}' is currently in use by a listener or a rule",
    )
    elb.delete_listener(ListenerArn=listener["ListenerArn"])
    assert (
        elb.describe_target_groups(TargetGroupArns=[arn])["TargetGroups"][0]["LoadBalancerArns"]
        == []
    )
    elb.delete_target_group(TargetGroupArn=arn)
    elb.delete_target_group(TargetGroupArn=arn)  # gone: still succeeds
    with pytest.raises(ClientError) as err:
        elb.describe_target_groups(TargetGroupArns=[arn])
    assert aws_error(err) == ("TargetGroupNotFound", "One or more target groups not found")


def test_describe_pages_by_name(elb):
    for i in range(5):
        make_tg(elb, name=f"tg-{i}")
    pages = list(
        elb.get_paginator("describe_target_groups").paginate(PaginationConfig={"PageSize": 2})
    )
    assert [len(p["TargetGroups"]) for p in pages] == [2, 2, 1]
    assert [t["TargetGroupName"] for p in pages for t in p["TargetGroups"]] == [
        f"tg-{i}" for i in range(5)
    ]


def test_cli_seed_004_shape(aws):
    tg = aws.json(
        "elbv2",
        "create-target-group",
        "--name",
        "web-tg",
        "--protocol",
        "HTTP",
        "--port",
        "80",
        "--target-type",
        "ip",
        "--vpc-id",
        VPC,
        "--health-check-path",
        "/",
    )["TargetGroups"][0]
    aws.run(
        "elbv2",
        "register-targets",
        "--target-group-arn",
        tg["TargetGroupArn"],
        "--targets",
        "Id=172.17.0.2,Port=80",
    )
    got = aws.json("elbv2", "describe-target-health", "--target-group-arn", tg["TargetGroupArn"])
    assert got["TargetHealthDescriptions"][0]["Target"] == {"Id": "172.17.0.2", "Port": 80}

"""ELBv2 listeners and rules, through boto3 and the aws CLI against a real `ecsd serve`:
default actions and the default rule, HTTPS accepted with its certificate, every
condition in both forms, forward (single and weighted, with stickiness), redirect,
fixed-response, priorities, and refusals that change nothing."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import aws_error

VPC = "vpc-0123456789abcdef0"


@pytest.fixture
def elb(client):
    return client("elbv2")


def acm_certificate(client, domain="web.example.com"):
    """An ACM certificate here (pending validation is enough for a listener to name it)."""
    acm = client("acm")
    return acm.request_certificate(DomainName=domain, ValidationMethod="DNS")["CertificateArn"]


@pytest.fixture
def cert(client):
    return acm_certificate(client)


@pytest.fixture
def setup(elb):
    lb = elb.create_load_balancer(Name="web", Subnets=["subnet-a", "subnet-b"])["LoadBalancers"][0]
    blue, green = (
        elb.create_target_group(Name=n, Protocol="HTTP", Port=80, VpcId=VPC, TargetType="ip")[
            "TargetGroups"
        ][0]["TargetGroupArn"]
        for n in ("blue", "green")
    )
    return lb["LoadBalancerArn"], blue, green


def forward(arn):
    return [{"Type": "forward", "TargetGroupArn": arn}]


def listener(elb, lb, tg, port=80, **kw):
    return elb.create_listener(
        LoadBalancerArn=lb, Protocol="HTTP", Port=port, DefaultActions=forward(tg), **kw
    )["Listeners"][0]


def test_listener_and_its_default_rule(elb, setup):
    lb, blue, _green = setup
    made = listener(elb, lb, blue)
    assert made["ListenerArn"].startswith(lb.replace(":loadbalancer/", ":listener/") + "/")
    assert (made["Port"], made["Protocol"]) == (80, "HTTP")
    action = made["DefaultActions"][0]
    assert action["Type"] == "forward" and action["TargetGroupArn"] == blue
    assert action["ForwardConfig"]["TargetGroups"] == [{"TargetGroupArn": blue, "Weight": 1}]
    assert elb.describe_listeners(LoadBalancerArn=lb)["Listeners"] == [made]
    assert elb.describe_listeners(ListenerArns=[made["ListenerArn"]])["Listeners"] == [made]
    rules = elb.describe_rules(ListenerArn=made["ListenerArn"])["Rules"]
    assert len(rules) == 1
    assert rules[0]["Priority"] == "default" and rules[0]["IsDefault"] is True
    assert rules[0]["Conditions"] == [] and rules[0]["Actions"] == made["DefaultActions"]
    # idempotent; a different listener on the same port is refused
    assert listener(elb, lb, blue)["ListenerArn"] == made["ListenerArn"]
    with pytest.raises(ClientError) as err:
        elb.create_listener(
            LoadBalancerArn=lb,
            Protocol="HTTP",
            Port=80,
            DefaultActions=[
                {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200"}}
            ],
        )
    assert aws_error(err) == (
        "DuplicateListener",
        f"A listener already exists on this port for this load balancer '{lb}'",
    )
    attrs = elb.describe_listener_attributes(ListenerArn=made["ListenerArn"])["Attributes"]
    assert {"Key": "routing.http.response.server.enabled", "Value": "true"} in attrs


def test_listener_refusals_change_nothing(elb, setup, cert):
    lb, blue, _green = setup
    missing_tg = blue[:-16] + "0" * 16
    cases = [
        (
            {"Protocol": "TCP", "Port": 80, "DefaultActions": forward(blue)},
            ("ValidationError", "Listener protocol 'TCP' must be one of 'HTTPS, HTTP'"),
        ),
        (
            {"Protocol": "HTTP", "Port": 80, "DefaultActions": forward(missing_tg)},
            ("TargetGroupNotFound", f"Target group '{missing_tg}' not found"),
        ),
        (
            {"Protocol": "HTTPS", "Port": 443, "DefaultActions": forward(blue)},
            ("CertificateNotFound", None),
        ),
        (
            {
                "Protocol": "HTTPS",
                "Port": 443,
                "DefaultActions": forward(blue),
                "Certificates": [{"CertificateArn": cert}],
                "SslPolicy": "NoSuchPolicy",
            },
            ("SSLPolicyNotFound", "SSL policy 'NoSuchPolicy' not found"),
        ),
        (
            {
                "Protocol": "HTTP",
                "Port": 80,
                "DefaultActions": [
                    {"Type": "redirect", "RedirectConfig": {"StatusCode": "HTTP_301"}}
                ],
            },
            ("ValidationError", None),
        ),
    ]
    for kw, (code, message) in cases:
        with pytest.raises(ClientError) as err:
            elb.create_listener(LoadBalancerArn=lb, **kw)
        got = aws_error(err)
        assert got[0] == code, kw
        if message:
            assert got[1] == message
    assert elb.describe_listeners(LoadBalancerArn=lb)["Listeners"] == []
    assert (
        elb.describe_target_groups(TargetGroupArns=[blue])["TargetGroups"][0]["LoadBalancerArns"]
        == []
    )


def test_https_listener_is_stored_with_certificate_and_policy(elb, setup, cert):
    lb, blue, _green = setup
    made = elb.create_listener(
        LoadBalancerArn=lb,
        Protocol="HTTPS",
        Port=443,
        Certificates=[{"CertificateArn": cert}],
        DefaultActions=forward(blue),
    )["Listeners"][0]
    assert made["SslPolicy"] == "ELBSecurityPolicy-2016-08"
    assert made["Certificates"] == [{"CertificateArn": cert}]


def test_modify_listener(elb, setup):
    lb, blue, green = setup
    made = listener(elb, lb, blue)
    other = listener(elb, lb, blue, port=8080)
    out = elb.modify_listener(ListenerArn=made["ListenerArn"], DefaultActions=forward(green))[
        "Listeners"
    ][0]
    assert out["DefaultActions"][0]["TargetGroupArn"] == green
    rules = elb.describe_rules(ListenerArn=made["ListenerArn"])["Rules"]
    assert rules[0]["Actions"][0]["TargetGroupArn"] == green
    with pytest.raises(ClientError) as err:
        elb.modify_listener(ListenerArn=other["ListenerArn"], Port=80)
    assert aws_error(err)[0] == "DuplicateListener"
    out = elb.modify_listener(ListenerArn=other["ListenerArn"], Port=81)["Listeners"][0]
    assert out["Port"] == 81
    assert sorted(
        t["TargetGroupName"] for t in elb.describe_target_groups(LoadBalancerArn=lb)["TargetGroups"]
    ) == ["blue", "green"]


def test_rules_conditions_actions_and_priorities(elb, setup, aws):
    lb, blue, green = setup
    la = listener(elb, lb, blue)["ListenerArn"]
    r1 = elb.create_rule(
        ListenerArn=la,
        Priority=10,
        Conditions=[{"Field": "path-pattern", "Values": ["/api/*"]}],
        Actions=forward(green),
    )["Rules"][0]
    assert r1["Priority"] == "10" and r1["IsDefault"] is False
    assert r1["Conditions"] == [
        {"Field": "path-pattern", "Values": ["/api/*"], "PathPatternConfig": {"Values": ["/api/*"]}}
    ]
    r2 = elb.create_rule(
        ListenerArn=la,
        Priority=20,
        Conditions=[
            {"Field": "host-header", "HostHeaderConfig": {"Values": ["*.example.com"]}},
            {
                "Field": "http-header",
                "HttpHeaderConfig": {"HttpHeaderName": "X-Env", "Values": ["blue"]},
            },
            {"Field": "http-request-method", "HttpRequestMethodConfig": {"Values": ["GET"]}},
            {"Field": "source-ip", "SourceIpConfig": {"Values": ["10.0.0.0/8"]}},
        ],
        Actions=[
            {
                "Type": "forward",
                "ForwardConfig": {
                    "TargetGroups": [
                        {"TargetGroupArn": blue, "Weight": 80},
                        {"TargetGroupArn": green, "Weight": 20},
                    ],
                    "TargetGroupStickinessConfig": {"Enabled": True, "DurationSeconds": 300},
                },
            }
        ],
    )["Rules"][0]
    fwd = r2["Actions"][0]
    assert "TargetGroupArn" not in fwd
    assert fwd["ForwardConfig"]["TargetGroupStickinessConfig"] == {
        "Enabled": True,
        "DurationSeconds": 300,
    }
    r3 = elb.create_rule(
        ListenerArn=la,
        Priority=30,
        Conditions=[
            {"Field": "query-string", "QueryStringConfig": {"Values": [{"Key": "v", "Value": "2"}]}}
        ],
        Actions=[
            {
                "Type": "redirect",
                "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"},
            }
        ],
    )["Rules"][0]
    assert r3["Actions"][0]["RedirectConfig"] == {
        "Protocol": "HTTPS",
        "Port": "443",
        "Host": "#{host}",
        "Path": "/#{path}",
        "Query": "#{query}",
        "StatusCode": "HTTP_301",
    }
    r4 = elb.create_rule(
        ListenerArn=la,
        Priority=40,
        Conditions=[{"Field": "path-pattern", "Values": ["/maint"]}],
        Actions=[
            {
                "Type": "fixed-response",
                "FixedResponseConfig": {
                    "StatusCode": "503",
                    "ContentType": "text/plain",
                    "MessageBody": "down",
                },
            }
        ],
    )["Rules"][0]
    assert r4["Actions"][0]["FixedResponseConfig"]["MessageBody"] == "down"
    listed = elb.describe_rules(ListenerArn=la)["Rules"]
    assert [r["Priority"] for r in listed] == ["10", "20", "30", "40", "default"]
    with pytest.raises(ClientError) as err:
        elb.create_rule(
            ListenerArn=la,
            Priority=10,
            Conditions=[{"Field": "path-pattern", "Values": ["/x"]}],
            Actions=forward(blue),
        )
    assert aws_error(err) == ("PriorityInUse", "Priority '10' is currently in use")
    # swap two priorities in one call
    out = elb.set_rule_priorities(
        RulePriorities=[
            {"RuleArn": r1["RuleArn"], "Priority": 20},
            {"RuleArn": r2["RuleArn"], "Priority": 10},
        ]
    )["Rules"]
    assert {(r["RuleArn"], r["Priority"]) for r in out} == {
        (r1["RuleArn"], "20"),
        (r2["RuleArn"], "10"),
    }
    with pytest.raises(ClientError) as err:
        elb.set_rule_priorities(RulePriorities=[{"RuleArn": r1["RuleArn"], "Priority": 30}])
    assert aws_error(err) == ("PriorityInUse", "Priority '30' is currently in use")
    default = elb.describe_rules(ListenerArn=la)["Rules"][-1]["RuleArn"]
    with pytest.raises(ClientError) as err:
        elb.delete_rule(RuleArn=default)
    assert aws_error(err)[0] == "OperationNotPermitted"
    with pytest.raises(ClientError) as err:
        elb.modify_rule(RuleArn=default, Actions=forward(green))
    assert aws_error(err) == (
        "OperationNotPermitted",
        f"Default rule '{default}' cannot be modified",
    )
    # modify conditions; paging; delete
    out = elb.modify_rule(
        RuleArn=r1["RuleArn"], Conditions=[{"Field": "path-pattern", "Values": ["/v2/*"]}]
    )
    assert out["Rules"][0]["Conditions"][0]["Values"] == ["/v2/*"]
    pages = list(
        elb.get_paginator("describe_rules").paginate(
            ListenerArn=la, PaginationConfig={"PageSize": 2}
        )
    )
    assert [len(p["Rules"]) for p in pages] == [2, 2, 1]
    aws.run("elbv2", "delete-rule", "--rule-arn", r4["RuleArn"])
    with pytest.raises(ClientError) as err:
        elb.describe_rules(RuleArns=[r4["RuleArn"]])
    assert aws_error(err) == ("RuleNotFound", "One or more rules not found")


@pytest.mark.parametrize(
    "conditions",
    [
        [{"Field": "cookie", "Values": ["x"]}],
        [{"Field": "path-pattern", "Values": ["/a", "/b", "/c", "/d", "/e", "/f"]}],
        [{"Field": "path-pattern", "Values": ["/" + "a" * 128]}],
        [{"Field": "path-pattern", "Values": ["/a"]}, {"Field": "path-pattern", "Values": ["/b"]}],
        [{"Field": "source-ip", "SourceIpConfig": {"Values": ["10.0.0.300/8"]}}],
        [{"Field": "http-request-method", "HttpRequestMethodConfig": {"Values": ["get"]}}],
        [{"Field": "http-header", "HttpHeaderConfig": {"Values": ["x"]}}],
        [{"Field": "host-header", "Values": ["a.com"], "HostHeaderConfig": {"Values": ["b.com"]}}],
        [],
    ],
)
def test_bad_conditions_are_refused(elb, setup, conditions):
    lb, blue, _green = setup
    la = listener(elb, lb, blue)["ListenerArn"]
    with pytest.raises(ClientError) as err:
        elb.create_rule(ListenerArn=la, Priority=1, Conditions=conditions, Actions=forward(blue))
    assert aws_error(err)[0] == "ValidationError"
    assert len(elb.describe_rules(ListenerArn=la)["Rules"]) == 1


def test_bad_actions_are_refused(elb, setup):
    lb, blue, green = setup
    la = listener(elb, lb, blue)["ListenerArn"]
    path = [{"Field": "path-pattern", "Values": ["/x"]}]
    for actions in [
        [
            {
                "Type": "fixed-response",
                "FixedResponseConfig": {"StatusCode": "200", "ContentType": "image/png"},
            }
        ],
        [
            {
                "Type": "forward",
                "ForwardConfig": {
                    "TargetGroups": [{"TargetGroupArn": blue, "Weight": 1000}],
                },
            }
        ],
        [
            {
                "Type": "forward",
                "TargetGroupArn": blue,
                "ForwardConfig": {"TargetGroups": [{"TargetGroupArn": green}]},
            }
        ],
        [{"Type": "redirect", "RedirectConfig": {"Path": "nope", "StatusCode": "HTTP_302"}}],
        [
            {"Type": "forward", "TargetGroupArn": blue, "Order": 1},
            {"Type": "forward", "TargetGroupArn": green, "Order": 2},
        ],
    ]:
        with pytest.raises(ClientError) as err:
            elb.create_rule(ListenerArn=la, Priority=1, Conditions=path, Actions=actions)
        assert aws_error(err)[0] == "ValidationError", actions
    assert len(elb.describe_rules(ListenerArn=la)["Rules"]) == 1


def test_a_target_group_serves_one_load_balancer(elb, setup):
    lb, blue, _green = setup
    listener(elb, lb, blue)
    other = elb.create_load_balancer(Name="other", Subnets=["subnet-a", "subnet-b"])[
        "LoadBalancers"
    ][0]
    with pytest.raises(ClientError) as err:
        listener(elb, other["LoadBalancerArn"], blue)
    assert aws_error(err) == (
        "TargetGroupAssociationLimit",
        f"The following target groups cannot be associated with more than one load balancer: {blue}",
    )


def test_deleting_the_load_balancer_deletes_listeners_and_rules(elb, setup):
    lb, blue, _green = setup
    la = listener(elb, lb, blue)["ListenerArn"]
    elb.create_rule(
        ListenerArn=la,
        Priority=1,
        Conditions=[{"Field": "path-pattern", "Values": ["/x"]}],
        Actions=forward(blue),
    )
    elb.delete_load_balancer(LoadBalancerArn=lb)
    with pytest.raises(ClientError) as err:
        elb.describe_listeners(ListenerArns=[la])
    assert aws_error(err) == ("ListenerNotFound", "One or more listeners not found")
    elb.delete_target_group(TargetGroupArn=blue)  # no longer in use


def test_tags_on_every_kind(elb, setup, aws):
    lb, blue, _green = setup
    la = listener(elb, lb, blue, Tags=[{"Key": "a", "Value": "1"}])["ListenerArn"]
    elb.add_tags(ResourceArns=[lb, blue, la], Tags=[{"Key": "env", "Value": "dev"}])
    got = {
        d["ResourceArn"]: d["Tags"]
        for d in elb.describe_tags(ResourceArns=[lb, blue, la])["TagDescriptions"]
    }
    assert got[la] == [{"Key": "a", "Value": "1"}, {"Key": "env", "Value": "dev"}]
    assert got[lb] == got[blue] == [{"Key": "env", "Value": "dev"}]
    aws.run("elbv2", "remove-tags", "--resource-arns", la, "--tag-keys", "a")
    assert elb.describe_tags(ResourceArns=[la])["TagDescriptions"][0]["Tags"] == [
        {"Key": "env", "Value": "dev"}
    ]
    with pytest.raises(ClientError) as err:
        elb.add_tags(ResourceArns=[lb], Tags=[{"Key": f"k{i}", "Value": "v"} for i in range(50)])
    assert aws_error(err)[0] == "TooManyTags"
    assert len(elb.describe_tags(ResourceArns=[lb])["TagDescriptions"][0]["Tags"]) == 1


def test_ssl_policies_and_account_limits(elb, aws):
    names = [p["Name"] for p in elb.describe_ssl_policies()["SslPolicies"]]
    assert {"ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS13-1-2-2021-06"} <= set(names)
    tls13 = elb.describe_ssl_policies(Names=["ELBSecurityPolicy-TLS13-1-2-2021-06"])["SslPolicies"][
        0
    ]
    assert tls13["SslProtocols"] == ["TLSv1.2", "TLSv1.3"]
    assert tls13["Ciphers"][0] == {"Name": "TLS_AES_128_GCM_SHA256", "Priority": 1}
    with pytest.raises(ClientError) as err:
        elb.describe_ssl_policies(Names=["nope"])
    assert aws_error(err) == ("SSLPolicyNotFound", "SSL policy 'nope' not found")
    limits = {x["Name"]: x["Max"] for x in aws.json("elbv2", "describe-account-limits")["Limits"]}
    assert limits["application-load-balancers"] == "50"
    assert limits["targets-per-application-load-balancer"] == "1000"


def test_listener_attributes(elb, setup):
    lb, blue, _green = setup
    la = listener(elb, lb, blue)["ListenerArn"]
    assert elb.describe_listener_attributes(ListenerArn=la)["Attributes"] == [
        {"Key": "routing.http.response.server.enabled", "Value": "true"}
    ]
    out = elb.modify_listener_attributes(
        ListenerArn=la,
        Attributes=[
            {"Key": "routing.http.response.server.enabled", "Value": "false"},
            {"Key": "routing.http.response.x_frame_options.header_value", "Value": "DENY"},
        ],
    )["Attributes"]
    assert {"Key": "routing.http.response.x_frame_options.header_value", "Value": "DENY"} in out
    with pytest.raises(ClientError) as err:
        elb.modify_listener_attributes(
            ListenerArn=la, Attributes=[{"Key": "tcp.idle_timeout.seconds", "Value": "60"}]
        )
    assert aws_error(err) == (
        "ValidationError",
        "Listener attribute key 'tcp.idle_timeout.seconds' is not recognized",
    )
    got = elb.describe_listener_attributes(ListenerArn=la)["Attributes"]
    assert {"Key": "routing.http.response.server.enabled", "Value": "false"} in got


def test_rules_quota_counts_the_whole_load_balancer(elb, setup):
    lb, blue, _green = setup
    first = listener(elb, lb, blue)["ListenerArn"]
    second = listener(elb, lb, blue, port=8080)["ListenerArn"]
    for i in range(100):
        elb.create_rule(
            ListenerArn=first if i % 2 else second,
            Priority=i + 1,
            Conditions=[{"Field": "path-pattern", "Values": [f"/{i}"]}],
            Actions=forward(blue),
        )
    with pytest.raises(ClientError) as err:
        elb.create_rule(
            ListenerArn=first,
            Priority=500,
            Conditions=[{"Field": "path-pattern", "Values": ["/x"]}],
            Actions=forward(blue),
        )
    assert aws_error(err)[0] == "TooManyRules"


def test_capacity_reservation_and_listener_certificates(elb, setup, cert, client):
    lb, blue, _green = setup
    out = elb.describe_capacity_reservation(LoadBalancerArn=lb)
    assert out["CapacityReservationState"] == [] and "MinimumLoadBalancerCapacity" not in out
    https = elb.create_listener(
        LoadBalancerArn=lb,
        Protocol="HTTPS",
        Port=443,
        Certificates=[{"CertificateArn": cert}],
        DefaultActions=forward(blue),
    )["Listeners"][0]["ListenerArn"]
    assert elb.describe_listener_certificates(ListenerArn=https)["Certificates"] == [
        {"CertificateArn": cert, "IsDefault": True}
    ]
    sni = acm_certificate(client, "sni.example.com")
    out = elb.add_listener_certificates(ListenerArn=https, Certificates=[{"CertificateArn": sni}])
    assert out["Certificates"] == [{"CertificateArn": sni, "IsDefault": False}]
    assert elb.describe_listener_certificates(ListenerArn=https)["Certificates"] == [
        {"CertificateArn": cert, "IsDefault": True},
        {"CertificateArn": sni, "IsDefault": False},
    ]
    # DescribeListeners shows the default certificate only; a modify keeps the others
    elb.modify_listener(ListenerArn=https, SslPolicy="ELBSecurityPolicy-TLS13-1-2-2021-06")
    shown = elb.describe_listeners(ListenerArns=[https])["Listeners"][0]
    assert shown["Certificates"] == [{"CertificateArn": cert}]
    assert shown["SslPolicy"] == "ELBSecurityPolicy-TLS13-1-2-2021-06"
    assert len(elb.describe_listener_certificates(ListenerArn=https)["Certificates"]) == 2
    with pytest.raises(ClientError) as err:
        elb.remove_listener_certificates(ListenerArn=https, Certificates=[{"CertificateArn": cert}])
    assert aws_error(err)[0] == "OperationNotPermitted"
    elb.remove_listener_certificates(ListenerArn=https, Certificates=[{"CertificateArn": sni}])
    assert len(elb.describe_listener_certificates(ListenerArn=https)["Certificates"]) == 1

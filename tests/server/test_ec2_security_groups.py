"""Security groups end to end (boto3 and the aws CLI against a real `ecsd serve`):
names unique per VPC, the implicit all-egress rule, rules with every kind of peer and
their `sgr-` ids, duplicates and unknown rules refused, ModifySecurityGroupRules,
description updates, and deletes refused while another group references the group."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError
from conftest import REGION, aws_error


@pytest.fixture
def ec2(client):
    return client("ec2")


@pytest.fixture
def vpc_id(ec2):
    return ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]


def _group(ec2, vpc_id, name):
    return ec2.create_security_group(GroupName=name, Description=name, VpcId=vpc_id)["GroupId"]


def _rules(ec2, group_id):
    rules = ec2.describe_security_group_rules(Filters=[{"Name": "group-id", "Values": [group_id]}])[
        "SecurityGroupRules"
    ]
    return sorted(rules, key=lambda r: (r["IsEgress"], r.get("FromPort", 0)))


def test_create_with_egress_rule_and_duplicate_name(ec2, vpc_id):
    made = ec2.create_security_group(
        GroupName="web",
        Description="web tier",
        VpcId=vpc_id,
        TagSpecifications=[
            {"ResourceType": "security-group", "Tags": [{"Key": "Name", "Value": "web"}]}
        ],
    )
    sg_id = made["GroupId"]
    assert made["Tags"] == [{"Key": "Name", "Value": "web"}]
    sg = ec2.describe_security_groups(GroupIds=[sg_id])["SecurityGroups"][0]
    assert (sg["GroupName"], sg["Description"], sg["VpcId"]) == ("web", "web tier", vpc_id)
    assert sg["IpPermissions"] == []
    assert sg["IpPermissionsEgress"][0]["IpRanges"] == [{"CidrIp": "0.0.0.0/0"}]
    with pytest.raises(ClientError) as err:
        ec2.create_security_group(GroupName="web", Description="again", VpcId=vpc_id)
    assert aws_error(err) == (
        "InvalidGroup.Duplicate",
        f"The security group 'web' already exists for VPC '{vpc_id}'",
    )
    with pytest.raises(ClientError) as err:
        ec2.create_security_group(GroupName="sg-x", Description="x", VpcId=vpc_id)
    assert aws_error(err)[0] == "InvalidParameterValue"
    with pytest.raises(ClientError) as err:
        ec2.describe_security_groups(GroupIds=["sg-0000000000000dead"])
    assert aws_error(err) == (
        "InvalidGroup.NotFound",
        "The security group 'sg-0000000000000dead' does not exist",
    )


def test_authorize_every_peer_kind_then_revoke(ec2, vpc_id):
    web, app = _group(ec2, vpc_id, "web"), _group(ec2, vpc_id, "app")
    out = ec2.authorize_security_group_ingress(
        GroupId=app,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 8080,
                "ToPort": 8080,
                "IpRanges": [{"CidrIp": "10.0.0.0/8", "Description": "inside"}],
                "Ipv6Ranges": [{"CidrIpv6": "::/0"}],
                "UserIdGroupPairs": [{"GroupId": web, "Description": "from web"}],
            },
            {
                "IpProtocol": "6",
                "FromPort": 22,
                "ToPort": 22,
                "PrefixListIds": [{"PrefixListId": "pl-12345678"}],
            },
        ],
    )
    assert out["Return"] is True
    made = out["SecurityGroupRules"]
    assert len(made) == 4 and all(r["SecurityGroupRuleId"].startswith("sgr-") for r in made)
    assert {r["IpProtocol"] for r in made} == {"tcp"}  # "6" is answered by name

    sg = ec2.describe_security_groups(GroupIds=[app])["SecurityGroups"][0]
    perms = {p["FromPort"]: p for p in sg["IpPermissions"]}
    assert perms[8080]["IpRanges"] == [{"CidrIp": "10.0.0.0/8", "Description": "inside"}]
    assert perms[8080]["Ipv6Ranges"] == [{"CidrIpv6": "::/0"}]
    assert perms[8080]["UserIdGroupPairs"][0]["GroupId"] == web
    assert perms[22]["PrefixListIds"] == [{"PrefixListId": "pl-12345678"}]
    found = ec2.describe_security_groups(
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "ip-permission.from-port", "Values": ["22"]},
            {"Name": "ip-permission.group-id", "Values": [web]},
        ]
    )["SecurityGroups"]
    assert [g["GroupId"] for g in found] == [app]
    ids = {r["SecurityGroupRuleId"] for r in _rules(ec2, app) if not r["IsEgress"]}
    assert ids == {r["SecurityGroupRuleId"] for r in made}

    # The same rule again is refused, and the whole call with it.
    with pytest.raises(ClientError) as err:
        ec2.authorize_security_group_ingress(
            GroupId=app,
            IpPermissions=[
                {
                    "IpProtocol": "udp",
                    "FromPort": 53,
                    "ToPort": 53,
                    "IpRanges": [{"CidrIp": "1.1.1.1/32"}],
                },
                {
                    "IpProtocol": "tcp",
                    "FromPort": 8080,
                    "ToPort": 8080,
                    "IpRanges": [{"CidrIp": "10.0.0.0/8"}],
                },
            ],
        )
    assert aws_error(err) == (
        "InvalidPermission.Duplicate",
        'the specified rule "peer: 10.0.0.0/8, TCP, from port: 8080, to port: 8080, ALLOW" '
        "already exists",
    )
    assert len(_rules(ec2, app)) == 5  # 4 ingress + the egress one: nothing added

    # A group another group's rule names cannot go.
    with pytest.raises(ClientError) as err:
        ec2.delete_security_group(GroupId=web)
    assert aws_error(err) == ("DependencyViolation", f"resource {web} has a dependent object")

    ec2.revoke_security_group_ingress(
        GroupId=app,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 8080,
                "ToPort": 8080,
                "UserIdGroupPairs": [{"GroupId": web}],
            }
        ],
    )
    with pytest.raises(ClientError) as err:
        ec2.revoke_security_group_ingress(
            GroupId=app,
            IpPermissions=[
                {
                    "IpProtocol": "tcp",
                    "FromPort": 8080,
                    "ToPort": 8080,
                    "UserIdGroupPairs": [{"GroupId": web}],
                }
            ],
        )
    assert aws_error(err) == (
        "InvalidPermission.NotFound",
        "The specified rule does not exist in this security group.",
    )
    ec2.delete_security_group(GroupId=web)
    pl_rule = next(r for r in _rules(ec2, app) if r.get("PrefixListId"))
    ec2.revoke_security_group_ingress(
        GroupId=app, SecurityGroupRuleIds=[pl_rule["SecurityGroupRuleId"]]
    )
    assert [r.get("FromPort") for r in _rules(ec2, app) if not r["IsEgress"]] == [8080, 8080]


def test_bad_ports_and_cidrs_are_refused(ec2, vpc_id):
    sg = _group(ec2, vpc_id, "strict")
    bad = [
        {"IpProtocol": "tcp", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "tcp", "FromPort": 90, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]},
        {"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "10.0.0.1/8"}]},
        {
            "IpProtocol": "banana",
            "FromPort": 80,
            "ToPort": 80,
            "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
        },
        {
            "IpProtocol": "tcp",
            "FromPort": 80,
            "ToPort": 80,
            "UserIdGroupPairs": [{"GroupId": "sg-0000000000000dead"}],
        },
    ]
    for perm in bad:
        with pytest.raises(ClientError) as err:
            ec2.authorize_security_group_ingress(GroupId=sg, IpPermissions=[perm])
        assert aws_error(err)[0] in ("InvalidParameterValue", "InvalidGroup.NotFound")
    other_vpc = ec2.create_vpc(CidrBlock="10.32.0.0/16")["Vpc"]["VpcId"]
    elsewhere = _group(ec2, other_vpc, "elsewhere")
    with pytest.raises(ClientError) as err:
        ec2.authorize_security_group_ingress(
            GroupId=sg,
            IpPermissions=[{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": elsewhere}]}],
        )
    assert aws_error(err) == (
        "InvalidGroup.NotFound",
        "You have specified two resources that belong to different networks.",
    )
    assert [r["IsEgress"] for r in _rules(ec2, sg)] == [True]


def test_egress_modify_and_descriptions(ec2, vpc_id):
    sg = _group(ec2, vpc_id, "out")
    ec2.revoke_security_group_egress(
        GroupId=sg, IpPermissions=[{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]
    )
    assert _rules(ec2, sg) == []
    made = ec2.authorize_security_group_egress(
        GroupId=sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 443,
                "ToPort": 443,
                "IpRanges": [{"CidrIp": "0.0.0.0/0"}],
            }
        ],
        TagSpecifications=[
            {"ResourceType": "security-group-rule", "Tags": [{"Key": "k", "Value": "v"}]}
        ],
    )["SecurityGroupRules"][0]
    rule_id = made["SecurityGroupRuleId"]
    assert made["Tags"] == [{"Key": "k", "Value": "v"}]
    ec2.modify_security_group_rules(
        GroupId=sg,
        SecurityGroupRules=[
            {
                "SecurityGroupRuleId": rule_id,
                "SecurityGroupRule": {
                    "IpProtocol": "tcp",
                    "FromPort": 8443,
                    "ToPort": 8443,
                    "CidrIpv4": "10.0.0.0/16",
                    "Description": "changed",
                },
            }
        ],
    )
    rule = ec2.describe_security_group_rules(SecurityGroupRuleIds=[rule_id])["SecurityGroupRules"][
        0
    ]
    assert (rule["FromPort"], rule["CidrIpv4"], rule["Description"], rule["IsEgress"]) == (
        8443,
        "10.0.0.0/16",
        "changed",
        True,
    )
    assert rule["Tags"] == [{"Key": "k", "Value": "v"}]
    ec2.update_security_group_rule_descriptions_egress(
        GroupId=sg,
        IpPermissions=[
            {
                "IpProtocol": "tcp",
                "FromPort": 8443,
                "ToPort": 8443,
                "IpRanges": [{"CidrIp": "10.0.0.0/16", "Description": "again"}],
            }
        ],
    )
    perm = ec2.describe_security_groups(GroupIds=[sg])["SecurityGroups"][0]["IpPermissionsEgress"]
    assert perm[0]["IpRanges"] == [{"CidrIp": "10.0.0.0/16", "Description": "again"}]
    with pytest.raises(ClientError) as err:
        ec2.describe_security_group_rules(SecurityGroupRuleIds=["sgr-0000000000000dead"])
    assert aws_error(err)[0] == "InvalidSecurityGroupRuleId.NotFound"


def test_aws_cli_group_and_rule(aws):
    vpc_id = aws.json("ec2", "create-vpc", "--cidr-block", "10.31.0.0/16", "--region", REGION)[
        "Vpc"
    ]["VpcId"]
    sg = aws.json(
        "ec2",
        "create-security-group",
        "--group-name",
        "cli",
        "--description",
        "cli",
        "--vpc-id",
        vpc_id,
        "--region",
        REGION,
    )["GroupId"]
    aws.run(
        "ec2",
        "authorize-security-group-ingress",
        "--group-id",
        sg,
        "--protocol",
        "tcp",
        "--port",
        "80",
        "--cidr",
        "0.0.0.0/0",
        "--region",
        REGION,
    )
    got = aws.json("ec2", "describe-security-groups", "--group-ids", sg, "--region", REGION)
    assert got["SecurityGroups"][0]["IpPermissions"][0]["FromPort"] == 80
    dup = aws.run(
        "ec2",
        "authorize-security-group-ingress",
        "--group-id",
        sg,
        "--protocol",
        "tcp",
        "--port",
        "80",
        "--cidr",
        "0.0.0.0/0",
        "--region",
        REGION,
        check=False,
    )
    assert "InvalidPermission.Duplicate" in dup.stderr
    aws.run("ec2", "delete-security-group", "--group-id", sg, "--region", REGION)

"""aws_vpc, aws_subnet, aws_security_group (inline rules), aws_security_group_rule and
aws_vpc_security_group_ingress_rule round trip through Terraform: apply, a re-plan with
no change, destroy leaving nothing behind."""

from __future__ import annotations

from typing import Any

NETWORK = """
data "aws_availability_zones" "here" {}

# The region's default VPC and its subnets, as configurations look them up.
data "aws_vpc" "default" {
  default = true
}

data "aws_subnets" "default" {
  filter {
    name   = "vpc-id"
    values = [data.aws_vpc.default.id]
  }
}

data "aws_security_group" "default" {
  vpc_id = data.aws_vpc.default.id
  name   = "default"
}

resource "aws_vpc" "main" {
  cidr_block           = "10.40.0.0/16"
  enable_dns_hostnames = true
  tags                 = { Name = "tf-main" }
}

resource "aws_subnet" "private" {
  count             = 2
  vpc_id            = aws_vpc.main.id
  cidr_block        = cidrsubnet(aws_vpc.main.cidr_block, 8, count.index)
  availability_zone = data.aws_availability_zones.here.names[count.index]
  tags              = { Name = "tf-private-${count.index}" }
}

resource "aws_security_group" "web" {
  name        = "tf-web"
  description = "web tier"
  vpc_id      = aws_vpc.main.id

  ingress {
    description = "http"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }

  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }

  tags = { Name = "tf-web" }
}

resource "aws_security_group" "app" {
  name        = "tf-app"
  description = "app tier"
  vpc_id      = aws_vpc.main.id
  # Read from the default VPC's records: three default subnets, its default group.
  tags = {
    default_subnets = length(data.aws_subnets.default.ids)
    default_group   = data.aws_security_group.default.id
  }
}

resource "aws_security_group_rule" "app_from_web" {
  type                     = "ingress"
  from_port                = 8080
  to_port                  = 8080
  protocol                 = "tcp"
  security_group_id        = aws_security_group.app.id
  source_security_group_id = aws_security_group.web.id
}

# Rules of their own go on a group without inline rules (a group's inline rules are
# its whole set: Terraform would plan to remove any other, against AWS as here).
resource "aws_vpc_security_group_ingress_rule" "https" {
  security_group_id = aws_security_group.app.id
  cidr_ipv4         = "10.0.0.0/8"
  from_port         = 443
  to_port           = 443
  ip_protocol       = "tcp"
  description       = "https inside"
  tags              = { Name = "tf-https" }
}
"""


def test_vpc_subnets_groups_round_trip(terraform: Any, client: Any) -> None:
    run = terraform(NETWORK)
    run.init()
    run.apply()
    ec2 = client("ec2")
    named = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["tf-main"]}])["Vpcs"]
    vpc_id = named[0]["VpcId"]
    subnets = ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Subnets"]
    assert sorted(s["CidrBlock"] for s in subnets) == ["10.40.0.0/24", "10.40.1.0/24"]
    groups = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    by_name = {g["GroupName"]: g for g in groups["SecurityGroups"]}
    assert set(by_name) == {"default", "tf-web", "tf-app"}
    app_tags = {t["Key"]: t["Value"] for t in by_name["tf-app"]["Tags"]}
    assert app_tags["default_subnets"] == "3"
    assert app_tags["default_group"].startswith("sg-")
    web = by_name["tf-web"]["IpPermissions"]
    assert [(p["FromPort"], p["IpRanges"]) for p in web] == [
        (80, [{"CidrIp": "0.0.0.0/0", "Description": "http"}])
    ]
    app = {p["FromPort"]: p for p in by_name["tf-app"]["IpPermissions"]}
    assert app[8080]["UserIdGroupPairs"][0]["GroupId"] == by_name["tf-web"]["GroupId"]
    assert app[443]["IpRanges"] == [{"CidrIp": "10.0.0.0/8", "Description": "https inside"}]
    run.replan()
    run.destroy()
    assert ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Vpcs"] == []
    left = ec2.describe_security_groups(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])
    assert left["SecurityGroups"] == []

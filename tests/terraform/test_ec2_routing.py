"""Route tables and a gateway VPC endpoint through Terraform: a VPC, a private subnet
with its own route table and association, and an S3 gateway endpoint that adds its
prefix-list route to that table — applied once, re-planned with no change, destroyed.

The rest of the loadbalancer module's network (public subnets, the internet gateway and
its route, Elastic IPs, NAT gateways and their routes) round-trips in
tests/terraform/test_seed_002.py, which applies the tutorial's own files; this test
covers only what those files do not use."""

from __future__ import annotations

from typing import Any

NETWORK = """
resource "aws_vpc" "example" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags = { Name = "endpoint-example" }
}

resource "aws_subnet" "private" {
  vpc_id            = aws_vpc.example.id
  cidr_block        = "10.0.65.0/24"
  availability_zone = "us-east-1a"
}

resource "aws_route_table" "private" {
  vpc_id = aws_vpc.example.id
}

resource "aws_route_table_association" "private" {
  subnet_id      = aws_subnet.private.id
  route_table_id = aws_route_table.private.id
}

resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.example.id
  service_name      = "com.amazonaws.us-east-1.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private.id]
}
"""


def test_route_table_and_gateway_endpoint_round_trip(terraform: Any, client: Any) -> None:
    run = terraform(NETWORK)
    run.init()
    run.apply()
    ec2 = client("ec2")
    named = [{"Name": "tag:Name", "Values": ["endpoint-example"]}]
    vpc_id = ec2.describe_vpcs(Filters=named)["Vpcs"][0]["VpcId"]
    in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    tables = ec2.describe_route_tables(Filters=in_vpc)["RouteTables"]
    assert len(tables) == 2  # the main one and the private one
    (private,) = [t for t in tables if any(a.get("SubnetId") for a in t["Associations"])]
    assert [r for r in private["Routes"] if r.get("DestinationPrefixListId")] != []
    (endpoint,) = ec2.describe_vpc_endpoints(Filters=in_vpc)["VpcEndpoints"]
    assert endpoint["RouteTableIds"] == [private["RouteTableId"]]
    run.replan()
    run.destroy()
    assert ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Vpcs"] == []

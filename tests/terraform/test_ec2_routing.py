"""The network of the "loadbalancer" module seed 002 uses (the Japanese Terraform book's
chapter-7 VPC): a VPC, two public and two private subnets, an internet gateway, a
public route table with its 0.0.0.0/0 route and associations, two Elastic IPs, two NAT
gateways and a private route table per private subnet routing to its NAT gateway —
applied once (with an S3 gateway endpoint for the private tables), re-planned with no
change, destroyed."""

from __future__ import annotations

from typing import Any

NETWORK = """
resource "aws_vpc" "example" {
  cidr_block           = "10.0.0.0/16"
  enable_dns_support   = true
  enable_dns_hostnames = true
  tags = { Name = "example" }
}

resource "aws_subnet" "public_0" {
  vpc_id                  = aws_vpc.example.id
  cidr_block              = "10.0.1.0/24"
  availability_zone       = "us-east-1a"
  map_public_ip_on_launch = true
}

resource "aws_subnet" "public_1" {
  vpc_id                  = aws_vpc.example.id
  cidr_block              = "10.0.2.0/24"
  availability_zone       = "us-east-1b"
  map_public_ip_on_launch = true
}

resource "aws_internet_gateway" "example" {
  vpc_id = aws_vpc.example.id
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.example.id
}

resource "aws_route" "public" {
  route_table_id         = aws_route_table.public.id
  gateway_id             = aws_internet_gateway.example.id
  destination_cidr_block = "0.0.0.0/0"
}

resource "aws_route_table_association" "public_0" {
  subnet_id      = aws_subnet.public_0.id
  route_table_id = aws_route_table.public.id
}

resource "aws_route_table_association" "public_1" {
  subnet_id      = aws_subnet.public_1.id
  route_table_id = aws_route_table.public.id
}

resource "aws_subnet" "private_0" {
  vpc_id                  = aws_vpc.example.id
  cidr_block              = "10.0.65.0/24"
  availability_zone       = "us-east-1a"
  map_public_ip_on_launch = false
}

resource "aws_subnet" "private_1" {
  vpc_id                  = aws_vpc.example.id
  cidr_block              = "10.0.66.0/24"
  availability_zone       = "us-east-1b"
  map_public_ip_on_launch = false
}

resource "aws_eip" "nat_gateway_0" {
  domain     = "vpc"
  depends_on = [aws_internet_gateway.example]
}

resource "aws_eip" "nat_gateway_1" {
  domain     = "vpc"
  depends_on = [aws_internet_gateway.example]
}

resource "aws_nat_gateway" "nat_gateway_0" {
  allocation_id = aws_eip.nat_gateway_0.id
  subnet_id     = aws_subnet.public_0.id
  depends_on    = [aws_internet_gateway.example]
}

resource "aws_nat_gateway" "nat_gateway_1" {
  allocation_id = aws_eip.nat_gateway_1.id
  subnet_id     = aws_subnet.public_1.id
  depends_on    = [aws_internet_gateway.example]
}

resource "aws_route_table" "private_0" {
  vpc_id = aws_vpc.example.id
}

resource "aws_route_table" "private_1" {
  vpc_id = aws_vpc.example.id
}

resource "aws_route" "private_0" {
  route_table_id         = aws_route_table.private_0.id
  nat_gateway_id         = aws_nat_gateway.nat_gateway_0.id
  destination_cidr_block = "0.0.0.0/0"
}

resource "aws_route" "private_1" {
  route_table_id         = aws_route_table.private_1.id
  nat_gateway_id         = aws_nat_gateway.nat_gateway_1.id
  destination_cidr_block = "0.0.0.0/0"
}

resource "aws_route_table_association" "private_0" {
  subnet_id      = aws_subnet.private_0.id
  route_table_id = aws_route_table.private_0.id
}

resource "aws_route_table_association" "private_1" {
  subnet_id      = aws_subnet.private_1.id
  route_table_id = aws_route_table.private_1.id
}

# Not in the book's module: an S3 gateway endpoint for the private route tables, so the
# same apply checks what aws_vpc_endpoint reads (the prefix list, the routes it adds).
resource "aws_vpc_endpoint" "s3" {
  vpc_id            = aws_vpc.example.id
  service_name      = "com.amazonaws.us-east-1.s3"
  vpc_endpoint_type = "Gateway"
  route_table_ids   = [aws_route_table.private_0.id, aws_route_table.private_1.id]
}

output "vpc_id" {
  value = aws_vpc.example.id
}
"""


def test_loadbalancer_module_network_round_trip(terraform: Any, client: Any) -> None:
    run = terraform(NETWORK)
    run.init()
    run.apply()
    ec2 = client("ec2")
    vpc_id = ec2.describe_vpcs(Filters=[{"Name": "tag:Name", "Values": ["example"]}])["Vpcs"][0][
        "VpcId"
    ]
    in_vpc = [{"Name": "vpc-id", "Values": [vpc_id]}]
    tables = ec2.describe_route_tables(Filters=in_vpc)["RouteTables"]
    assert len(tables) == 4  # main, public, two private
    targets = sorted(
        r.get("GatewayId") or r.get("NatGatewayId") or ""
        for t in tables
        for r in t["Routes"]
        if r.get("DestinationCidrBlock") == "0.0.0.0/0"
    )
    assert [t[:4] for t in targets] == ["igw-", "nat-", "nat-"]
    subnets_routed = [a.get("SubnetId") for t in tables for a in t["Associations"]]
    assert len([s for s in subnets_routed if s]) == 4
    prefix_routes = [r for t in tables for r in t["Routes"] if r.get("DestinationPrefixListId")]
    assert len(prefix_routes) == 2
    nats = ec2.describe_nat_gateways(Filter=in_vpc)["NatGateways"]
    assert sorted(n["State"] for n in nats) == ["available", "available"]
    run.replan()
    run.destroy()
    assert ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["Vpcs"] == []
    assert all(
        n["State"] == "deleted" for n in ec2.describe_nat_gateways(Filter=in_vpc)["NatGateways"]
    )

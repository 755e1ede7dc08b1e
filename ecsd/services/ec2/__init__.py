"""EC2, the networking records Terraform and the ECS tutorials create (issue #14).

So far the region-level read-only answers every EC2 client asks first (the zones and
the account's attributes); the VPC records come next. `ec2` protocol (protocols/ec2.py).
"""

from __future__ import annotations

from typing import Any

from ...aws.provider import Context, Provider

ec2 = Provider("ec2")

# Three zones per region, as ecsd's subnets will use them (AWS has 3–6; 3 is enough for
# every tutorial and for Terraform's `slice(names, 0, 2)` patterns).
_ZONE_LETTERS = "abc"


def zones(region: str) -> list[dict[str, Any]]:
    return [
        {
            "ZoneName": f"{region}{letter}",
            "ZoneId": f"{region[:3]}{region.split('-')[-1]}-az{i}",
            "State": "available",
            "RegionName": region,
            "ZoneType": "availability-zone",
            "GroupName": region,
            "NetworkBorderGroup": region,
            "OptInStatus": "opt-in-not-required",
            "Messages": [],
        }
        for i, letter in enumerate(_ZONE_LETTERS, 1)
    ]


@ec2.operation("DescribeAvailabilityZones")
def describe_availability_zones(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    found = zones(ctx.region)
    names = params.get("ZoneNames")
    if names:
        found = [z for z in found if z["ZoneName"] in names]
    return {"AvailabilityZones": found}


@ec2.operation("DescribeAccountAttributes")
def describe_account_attributes(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    values = {
        "supported-platforms": ["VPC"],
        "default-vpc": ["none"],
        "max-instances": ["20"],
        "vpc-max-security-groups-per-interface": ["5"],
        "max-elastic-ips": ["5"],
        "vpc-max-elastic-ips": ["5"],
    }
    wanted = params.get("AttributeNames") or list(values)
    return {
        "AccountAttributes": [
            {
                "AttributeName": name,
                "AttributeValues": [{"AttributeValue": v} for v in values[name]],
            }
            for name in wanted
            if name in values
        ]
    }

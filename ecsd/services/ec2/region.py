"""The region-level read-only answers every EC2 client asks first: the zones and the
account's attributes."""

from __future__ import annotations

from typing import Any

from ...aws.provider import Context
from ...model.ec2 import defaults
from ...model.ec2.zones import zones
from .api import ec2, records


@ec2.operation("DescribeAvailabilityZones")
def describe_availability_zones(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    found = zones(ctx.region)
    names = params.get("ZoneNames")
    if names:
        found = [z for z in found if z["ZoneName"] in names]
    return {"AvailabilityZones": found}


@records("DescribeAccountAttributes")
def describe_account_attributes(ctx: Context, params: dict[str, Any]) -> dict[str, Any]:
    values = {
        "supported-platforms": ["VPC"],
        "default-vpc": [defaults.vpc_id(ctx) or "none"],
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

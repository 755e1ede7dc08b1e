"""A region's availability zones, as DescribeAvailabilityZones lists them and as
subnets (and the default VPC's subnets) are placed in them."""

from __future__ import annotations

from typing import Any

# Three zones per region (AWS has 3–6; 3 is enough for every tutorial and for
# Terraform's `slice(names, 0, 2)` patterns).
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

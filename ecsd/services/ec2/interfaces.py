"""DescribeNetworkInterfaces: the ENIs of awsvpc tasks (model/ec2/interfaces.py)."""

from __future__ import annotations

from typing import Any

from ...aws.provider import Context
from ...model.ec2 import filters, ids, interfaces
from ...model.ec2.errors import not_found
from .api import records
from .paging import page


@records("DescribeNetworkInterfaces")
def describe_network_interfaces(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    docs = interfaces.described(ctx)
    wanted = p.get("NetworkInterfaceIds") or []
    if wanted:
        have = {d["NetworkInterfaceId"] for d in docs}
        for eni_id in wanted:
            if eni_id not in have:
                raise not_found(ids.NETWORK_INTERFACE, eni_id)
        docs = [d for d in docs if d["NetworkInterfaceId"] in set(wanted)]
    found = filters.select(
        docs,
        p.get("Filters"),
        interfaces.FIELDS,
        lambda d: {t["Key"]: t["Value"] for t in d["TagSet"]},
    )
    items, more = page(found, lambda d: d["NetworkInterfaceId"], p)
    return {"NetworkInterfaces": items, **more}

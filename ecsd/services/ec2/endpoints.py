"""VPC endpoints: CreateVpcEndpoint, DescribeVpcEndpoints, ModifyVpcEndpoint,
DeleteVpcEndpoints, and the region's catalogue they draw on (DescribePrefixLists,
DescribeVpcEndpointServices) — what Terraform's aws_vpc_endpoint calls."""

from __future__ import annotations

from typing import Any

from ...aws.errors import AwsError
from ...aws.provider import Context
from ...model.ec2 import endpoints, filters, ids, tags
from ...model.ec2.errors import missing, not_found
from .api import records
from .paging import page


def _tag_map(d: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in d.get("Tags", [])}


@records("CreateVpcEndpoint")
def create_vpc_endpoint(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    if not p.get("ServiceName"):  # required by EC2, optional in botocore's model
        raise missing("ServiceName")
    tag_list = tags.from_specifications(p.get("TagSpecifications"), "vpc-endpoint")
    doc = endpoints.create(
        ctx,
        p["VpcId"],
        p["ServiceName"],
        kind=p.get("VpcEndpointType") or "Gateway",
        route_table_ids=p.get("RouteTableIds"),
        subnet_ids=p.get("SubnetIds"),
        group_ids=p.get("SecurityGroupIds"),
        policy=p.get("PolicyDocument"),
        private_dns=p.get("PrivateDnsEnabled"),
        tag_list=tag_list,
    )
    out: dict[str, Any] = {"VpcEndpoint": {**doc, "Tags": tag_list}}
    if p.get("ClientToken"):
        out["ClientToken"] = p["ClientToken"]
    return out


@records("DescribeVpcEndpoints")
def describe_vpc_endpoints(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    rows = endpoints.all_rows(ctx)
    wanted = p.get("VpcEndpointIds") or []
    if wanted:
        have = {r.id for r in rows}
        for endpoint_id in wanted:
            if endpoint_id not in have:
                raise not_found(ids.VPC_ENDPOINT, endpoint_id)
        rows = [r for r in rows if r.id in set(wanted)]
    found = filters.select(endpoints.view(ctx, rows), p.get("Filters"), endpoints.FIELDS, _tag_map)
    items, more = page(found, lambda d: d["VpcEndpointId"], p)
    return {"VpcEndpoints": items, **more}


@records("ModifyVpcEndpoint")
def modify_vpc_endpoint(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    endpoints.modify(ctx, p["VpcEndpointId"], p)
    return {"Return": True}


@records("DeleteVpcEndpoints")
def delete_vpc_endpoints(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    # EC2 deletes what it can and lists the rest as Unsuccessful (not an error).
    failed = []
    for endpoint_id in p["VpcEndpointIds"]:
        try:
            endpoints.remove(ctx, endpoint_id)
        except AwsError as e:
            failed.append(
                {"ResourceId": endpoint_id, "Error": {"Code": e.code, "Message": e.message}}
            )
    return {"Unsuccessful": failed}


@records("DescribePrefixLists")
def describe_prefix_lists(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    lists = endpoints.prefix_lists(ctx)
    wanted = p.get("PrefixListIds") or []
    if wanted:
        have = {pl["PrefixListId"] for pl in lists}
        for pl_id in wanted:
            if pl_id not in have:
                raise AwsError(
                    "InvalidPrefixListID.NotFound", f"The prefix list ID '{pl_id}' does not exist"
                )
        lists = [pl for pl in lists if pl["PrefixListId"] in set(wanted)]
    found = filters.select(lists, p.get("Filters"), endpoints.PREFIX_LIST_FIELDS)
    items, more = page(found, lambda d: d["PrefixListId"], p)
    return {"PrefixLists": items, **more}


@records("DescribeVpcEndpointServices")
def describe_vpc_endpoint_services(ctx: Context, p: dict[str, Any]) -> dict[str, Any]:
    details = endpoints.services(ctx)
    wanted = p.get("ServiceNames") or []
    if wanted:
        have = {d["ServiceName"] for d in details}
        for name in wanted:
            if name not in have:
                raise AwsError(
                    "InvalidServiceName", f"The Vpc Endpoint Service '{name}' does not exist"
                )
        details = [d for d in details if d["ServiceName"] in set(wanted)]
    found = filters.select(details, p.get("Filters"), endpoints.SERVICE_FIELDS)
    items, more = page(found, lambda d: d["ServiceName"], p)
    return {"ServiceNames": [d["ServiceName"] for d in items], "ServiceDetails": items, **more}

"""What ECS checks of an awsvpc network configuration against EC2's records: the
named function RunTask, CreateService, UpdateService and CreateTaskSet call.

Once the user has made a VPC of their own in the region, every subnet and security
group named must exist (a subnet or group of the default VPC always does). Before
that, any id is accepted, as ecsd always did, so that quick experiments need no VPC.
"""

from __future__ import annotations

from collections.abc import Sequence

from ...aws.errors import AwsError
from ...core.unit import Unit
from . import security_groups, subnets, vpcs


def check(unit: Unit, subnet_ids: Sequence[str], group_ids: Sequence[str]) -> None:
    if not vpcs.user_vpcs_exist(unit):
        return
    for subnet_id in subnet_ids:
        if subnets.find(unit, subnet_id) is None:
            # ECS's text, as CreateService and RunTask answer it.
            raise AwsError(
                "InvalidParameterException",
                f"Error retrieving subnet information for [{subnet_id}]: The subnet ID "
                f"'{subnet_id}' does not exist (ErrorCode: InvalidSubnetID.NotFound)",
            )
    for group_id in group_ids:
        if security_groups.find(unit, group_id) is None:
            # ecsd's own text, shaped as ECS's answer for a subnet.
            raise AwsError(
                "InvalidParameterException",
                f"Error retrieving security group information for [{group_id}]: The "
                f"security group '{group_id}' does not exist (ErrorCode: InvalidGroup.NotFound)",
            )

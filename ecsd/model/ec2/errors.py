"""EC2's error codes and texts, in one place so that every handler says them alike.

The texts are EC2's as clients have reported them; where EC2's exact text is not
known the function says the text is ecsd's own.
"""

from __future__ import annotations

from ...aws.errors import AwsError

# What each kind's "no such id" is, and the noun EC2's text uses for it.
_NOT_FOUND: dict[str, tuple[str, str]] = {
    "vpc": ("InvalidVpcID.NotFound", "The vpc ID '{}' does not exist"),
    "subnet": ("InvalidSubnetID.NotFound", "The subnet ID '{}' does not exist"),
    "sg": ("InvalidGroup.NotFound", "The security group '{}' does not exist"),
    "sgr": (
        "InvalidSecurityGroupRuleId.NotFound",
        "The security group rule ID '{}' does not exist",
    ),
    "eni": (
        "InvalidNetworkInterfaceID.NotFound",
        "The networkInterface ID '{}' does not exist",
    ),
    "rtb": ("InvalidRouteTableID.NotFound", "The routeTable ID '{}' does not exist"),
    "acl": ("InvalidNetworkAclID.NotFound", "The networkAcl ID '{}' does not exist"),
    "igw": (
        "InvalidInternetGatewayID.NotFound",
        "The internetGateway ID '{}' does not exist",
    ),
    "eipalloc": (
        "InvalidAllocationID.NotFound",
        "The allocation ID '{}' does not exist",
    ),
    "nat": ("NatGatewayNotFound", "The Nat Gateway {} was not found"),
    "vpce": ("InvalidVpcEndpointId.NotFound", "The Vpc Endpoint Id '{}' does not exist"),
}


def not_found(kind: str, resource_id: str) -> AwsError:
    """EC2's answer for an id of kind `kind` (`vpc`, `subnet`, `sg` …) that does not
    exist."""
    code, text = _NOT_FOUND.get(kind, ("InvalidID", "The ID '{}' is not valid"))
    return AwsError(code, text.format(resource_id))


def invalid_value(message: str) -> AwsError:
    return AwsError("InvalidParameterValue", message)


def invalid_combination(message: str) -> AwsError:
    return AwsError("InvalidParameterCombination", message)


def missing(parameter: str) -> AwsError:
    return AwsError("MissingParameter", f"The request must contain the parameter {parameter}")


def dependency(kind: str, resource_id: str) -> AwsError:
    """A delete refused because something still uses the resource."""
    if kind == "sg":
        return AwsError("DependencyViolation", f"resource {resource_id} has a dependent object")
    noun = {"vpc": "vpc", "subnet": "subnet"}.get(kind, kind)
    return AwsError(
        "DependencyViolation",
        f"The {noun} '{resource_id}' has dependencies and cannot be deleted.",
    )


def bad_cidr(value: str, parameter: str = "cidrBlock") -> AwsError:
    return invalid_value(
        f"Value ({value}) for parameter {parameter} is invalid. This is not a valid CIDR block."
    )


def vpc_range(cidr: str) -> AwsError:
    return AwsError("InvalidVpc.Range", f"The CIDR '{cidr}' is invalid.")


def subnet_range(cidr: str) -> AwsError:
    return AwsError("InvalidSubnet.Range", f"The CIDR '{cidr}' is invalid.")


def subnet_conflict(cidr: str) -> AwsError:
    return AwsError("InvalidSubnet.Conflict", f"The CIDR '{cidr}' conflicts with another subnet")


def group_duplicate(name: str, vpc_id: str) -> AwsError:
    return AwsError(
        "InvalidGroup.Duplicate", f"The security group '{name}' already exists for VPC '{vpc_id}'"
    )


def group_name_not_found(name: str, vpc_id: str, *, default: bool = True) -> AwsError:
    """A group named (GroupName) that is not there: EC2 looks names up in the default
    VPC (or, in a rule's UserIdGroupPairs, in the rule's group's VPC)."""
    where = "default VPC" if default else "VPC"
    return AwsError(
        "InvalidGroup.NotFound", f"The security group '{name}' does not exist in {where} '{vpc_id}'"
    )


def cannot_delete_default(group_id: str) -> AwsError:
    return AwsError(
        "CannotDelete",
        f'the specified group: "{group_id}" name: "default" cannot be deleted by a user',
    )


def permission_duplicate(peer: str, protocol: str, from_port: int, to_port: int) -> AwsError:
    return AwsError(
        "InvalidPermission.Duplicate",
        f'the specified rule "peer: {peer}, {protocol}, from port: {from_port}, '
        f'to port: {to_port}, ALLOW" already exists',
    )


def permission_not_found() -> AwsError:
    return AwsError(
        "InvalidPermission.NotFound",
        "The specified rule does not exist in this security group.",
    )


def bad_token() -> AwsError:
    # ecsd's own text: EC2's answer for a token it did not issue is not documented.
    return AwsError("InvalidPaginationToken", "The pagination token is not valid.")

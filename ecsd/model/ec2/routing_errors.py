"""EC2's error codes and texts of the routing half (route tables, gateways, addresses,
NAT gateways, endpoints) — the codes `errors` does not already say. Where EC2's exact
text is not known, the function says the text is ecsd's own."""

from __future__ import annotations

from ...aws.errors import AwsError
from .errors import invalid_value


def route_exists(destination: str) -> AwsError:
    return AwsError("RouteAlreadyExists", f"The route identified by {destination} already exists.")


def route_not_found(destination: str, route_table_id: str) -> AwsError:
    return AwsError(
        "InvalidRoute.NotFound",
        f"no route with destination-cidr-block {destination} in route table {route_table_id}",
    )


def local_route(destination: str, route_table_id: str) -> AwsError:
    return invalid_value(f"cannot remove local route {destination} in route table {route_table_id}")


def different_networks(route_table_id: str, other: str) -> AwsError:
    noun = "subnet" if other.startswith("subnet-") else "network gateway"
    return invalid_value(
        f"route table {route_table_id} and {noun} {other} belong to different networks"
    )


def already_associated_route_table(route_table_id: str) -> AwsError:
    return AwsError(
        "Resource.AlreadyAssociated",
        f"the specified association for route table {route_table_id} conflicts with an "
        "existing association",
    )


def association_not_found(association_id: str) -> AwsError:
    return AwsError(
        "InvalidAssociationID.NotFound", f"The association ID '{association_id}' does not exist"
    )


def main_association(association_id: str) -> AwsError:
    return invalid_value(f"cannot disassociate the main route table association {association_id}")


def gateway_attached(gateway_id: str, vpc_id: str) -> AwsError:
    return AwsError(
        "Resource.AlreadyAssociated",
        f"resource {gateway_id} is already attached to network {vpc_id}",
    )


def vpc_has_gateway(vpc_id: str) -> AwsError:
    # ecsd's own text: a VPC takes one internet gateway.
    return AwsError(
        "Resource.AlreadyAssociated", f"network {vpc_id} already has an internet gateway attached"
    )


def gateway_not_attached(gateway_id: str, vpc_id: str) -> AwsError:
    return AwsError(
        "Gateway.NotAttached", f"resource {gateway_id} is not attached to network {vpc_id}"
    )


def address_not_found(public_ip: str) -> AwsError:
    return AwsError("InvalidAddress.NotFound", f"Address '{public_ip}' not found.")


def address_in_use(allocation_id: str) -> AwsError:
    # ecsd's own text (EC2's code).
    return AwsError(
        "InvalidIPAddress.InUse", f"The address with allocation id [{allocation_id}] is in use."
    )


def address_associated(allocation_id: str) -> AwsError:
    return AwsError(
        "Resource.AlreadyAssociated",
        f"Elastic IP address [{allocation_id}] is already associated",
    )


def addresses_exhausted() -> AwsError:
    # ecsd's own text: the documentation ranges ecsd draws addresses from are used up.
    return AwsError("AddressLimitExceeded", "The maximum number of addresses has been reached.")

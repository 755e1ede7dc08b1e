"""AWS's defaults and bounds for ELBv2 settings, and their checks.

Shared by the API (which refuses bad input and fills in defaults) and the controller
(which reads the stored values): attributes are stored as AWS answers them — every key
present, values as strings — so DescribeLoadBalancerAttributes and
DescribeTargetGroupAttributes read back exactly what Terraform expects.

Error texts: AWS's where they are known from its answers; where not, the wording is
ecsd's own (marked so below).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from ...aws.errors import AwsError

# CanonicalHostedZoneId of Application Load Balancers, per region (AWS's "Elastic Load
# Balancing endpoints and quotas").
HOSTED_ZONES = {
    "us-east-1": "Z35SXDOTRQ7X7K",
    "us-east-2": "Z3AADJGX6KTTL2",
    "us-west-1": "Z368ELLRRE2KJ0",
    "us-west-2": "Z1H1FL5HABSF5",
    "af-south-1": "Z268VQBMOI5EKX",
    "ap-east-1": "Z3DQVH9N71FHZ0",
    "ap-south-1": "ZP97RAFLXTNZK",
    "ap-northeast-1": "Z14GRHDCWA56QT",
    "ap-northeast-2": "ZWKZPGTI48KDX",
    "ap-northeast-3": "Z5LXEXXYW11ES",
    "ap-southeast-1": "Z1LMS91P8CMLE5",
    "ap-southeast-2": "Z1GM3OXH4ZPM65",
    "ca-central-1": "ZQSVJUPU6J1EY",
    "eu-central-1": "Z215JYRZR1TBD5",
    "eu-west-1": "Z32O12XQLNTSW2",
    "eu-west-2": "ZHURV8PSTC4K8",
    "eu-west-3": "Z3Q77PNBQS71R4",
    "eu-south-1": "Z3ULH7SSC9OV64",
    "eu-north-1": "Z23TAZQQHW3ZL",
    "me-south-1": "ZS929ML54UICD",
    "sa-east-1": "Z2P70J7HTTTPLU",
}


def hosted_zone(region: str) -> str:
    # A region not in the table gets us-east-1's zone: ecsd's choice, any value is fake.
    return HOSTED_ZONES.get(region, HOSTED_ZONES["us-east-1"])


def invalid(message: str) -> AwsError:
    return AwsError("ValidationError", message)


# -- names -------------------------------------------------------------------------------------

_NAME = re.compile(r"^[A-Za-z0-9-]+$")


def check_name(what: str, name: str) -> None:
    """Load balancer and target group names: 1-32 alphanumerics and hyphens, not at either
    end (`what` is "Load balancer" or "Target group", as AWS's texts begin)."""
    if len(name) > 32:
        raise invalid(f"{what} name '{name}' cannot be longer than '32' characters")
    if not _NAME.match(name):
        raise invalid(
            f"{what} name '{name}' can only contain characters that are alphanumeric "
            "characters or hyphens(-)"
        )
    if name.startswith("-") or name.endswith("-"):
        raise invalid(f"{what} name '{name}' cannot begin or end with '-'")
    if what == "Load balancer" and name.lower().startswith("internal-"):
        raise invalid(f"Load balancer name '{name}' cannot begin with 'internal-'")


# -- attributes -----------------------------------------------------------------------------------

Check = Callable[[str], bool]


def _bool(v: str) -> bool:
    return v in ("true", "false")


def _int(lo: int, hi: int) -> Check:
    return lambda v: v.isdigit() and lo <= int(v) <= hi


def _one_of(*values: str) -> Check:
    return lambda v: v in values


def _any(_v: str) -> bool:
    return True


def _slow_start(v: str) -> bool:
    return v.isdigit() and (int(v) == 0 or 30 <= int(v) <= 900)


def _count_or_off(lo: int, hi: int) -> Check:
    return lambda v: v == "off" or (v.isdigit() and lo <= int(v) <= hi)


# key -> (default, check, what the check wants — for the refusal's text)
LB_ATTRIBUTES: dict[str, tuple[str, Check, str]] = {
    "access_logs.s3.enabled": ("false", _bool, "true or false"),
    "access_logs.s3.bucket": ("", _any, ""),
    "access_logs.s3.prefix": ("", _any, ""),
    "connection_logs.s3.enabled": ("false", _bool, "true or false"),
    "connection_logs.s3.bucket": ("", _any, ""),
    "connection_logs.s3.prefix": ("", _any, ""),
    "health_check_logs.s3.enabled": ("false", _bool, "true or false"),
    "health_check_logs.s3.bucket": ("", _any, ""),
    "health_check_logs.s3.prefix": ("", _any, ""),
    "client_keep_alive.seconds": ("3600", _int(60, 604800), "an integer from 60 to 604800"),
    "deletion_protection.enabled": ("false", _bool, "true or false"),
    "idle_timeout.timeout_seconds": ("60", _int(1, 4000), "an integer from 1 to 4000"),
    "load_balancing.cross_zone.enabled": ("true", _one_of("true"), "true"),
    "routing.http.desync_mitigation_mode": (
        "defensive",
        _one_of("monitor", "defensive", "strictest"),
        "monitor, defensive or strictest",
    ),
    "routing.http.drop_invalid_header_fields.enabled": ("false", _bool, "true or false"),
    "routing.http.preserve_host_header.enabled": ("false", _bool, "true or false"),
    "routing.http.x_amzn_tls_version_and_cipher_suite.enabled": ("false", _bool, "true or false"),
    "routing.http.xff_client_port.enabled": ("false", _bool, "true or false"),
    "routing.http.xff_header_processing.mode": (
        "append",
        _one_of("append", "preserve", "remove"),
        "append, preserve or remove",
    ),
    "routing.http2.enabled": ("true", _bool, "true or false"),
    "waf.fail_open.enabled": ("false", _bool, "true or false"),
    "zonal_shift.config.enabled": ("false", _bool, "true or false"),
}

TG_ATTRIBUTES: dict[str, tuple[str, Check, str]] = {
    "deregistration_delay.timeout_seconds": ("300", _int(0, 3600), "an integer from 0 to 3600"),
    "slow_start.duration_seconds": ("0", _slow_start, "0 or an integer from 30 to 900"),
    "load_balancing.algorithm.type": (
        "round_robin",
        _one_of("round_robin", "least_outstanding_requests", "weighted_random"),
        "round_robin, least_outstanding_requests or weighted_random",
    ),
    "load_balancing.algorithm.anomaly_mitigation": ("off", _one_of("on", "off"), "on or off"),
    "load_balancing.cross_zone.enabled": (
        "use_load_balancer_configuration",
        _one_of("true", "false", "use_load_balancer_configuration"),
        "true, false or use_load_balancer_configuration",
    ),
    "stickiness.enabled": ("false", _bool, "true or false"),
    "stickiness.type": ("lb_cookie", _one_of("lb_cookie", "app_cookie"), "lb_cookie or app_cookie"),
    "stickiness.lb_cookie.duration_seconds": (
        "86400",
        _int(1, 604800),
        "an integer from 1 to 604800",
    ),
    "stickiness.app_cookie.cookie_name": ("", _any, ""),
    "stickiness.app_cookie.duration_seconds": (
        "86400",
        _int(1, 604800),
        "an integer from 1 to 604800",
    ),
    "target_group_health.dns_failover.minimum_healthy_targets.count": (
        "1",
        _count_or_off(1, 1000),
        "off or an integer from 1 to 1000",
    ),
    "target_group_health.dns_failover.minimum_healthy_targets.percentage": (
        "off",
        _count_or_off(1, 100),
        "off or an integer from 1 to 100",
    ),
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.count": (
        "1",
        _count_or_off(1, 1000),
        "off or an integer from 1 to 1000",
    ),
    "target_group_health.unhealthy_state_routing.minimum_healthy_targets.percentage": (
        "off",
        _count_or_off(1, 100),
        "off or an integer from 1 to 100",
    ),
}

# An Application Load Balancer listener's attributes: the Server header switch, and the
# header names and values it can rename or add (empty: not set, and not shown).
LISTENER_ATTRIBUTES: dict[str, tuple[str, Check, str]] = {
    "routing.http.response.server.enabled": ("true", _bool, "true or false"),
    **{
        f"routing.http.request.x_amzn_{name}.header_name": ("", _any, "")
        for name in (
            "mtls_clientcert_serial_number",
            "mtls_clientcert_issuer",
            "mtls_clientcert_subject",
            "mtls_clientcert_validity",
            "mtls_clientcert_leaf",
            "mtls_clientcert",
            "tls_version",
            "tls_cipher_suite",
        )
    },
    **{
        f"routing.http.response.{name}.header_value": ("", _any, "")
        for name in (
            "strict_transport_security",
            "access_control_allow_origin",
            "access_control_allow_methods",
            "access_control_allow_headers",
            "access_control_allow_credentials",
            "access_control_expose_headers",
            "access_control_max_age",
            "content_security_policy",
            "x_content_type_options",
            "x_frame_options",
        )
    },
}


def defaults(table: dict[str, tuple[str, Check, str]]) -> dict[str, str]:
    return {k: v[0] for k, v in table.items()}


def apply_attributes(
    what: str,
    table: dict[str, tuple[str, Check, str]],
    current: dict[str, str],
    changes: list[dict[str, Any]],
) -> dict[str, str]:
    """`current` with `changes` (Attributes: [{Key, Value}]) applied, every one checked
    first: one bad key or value refuses them all. `what`: "Load balancer", "Target group"
    or "Listener" (AWS's texts name the resource)."""
    out = dict(current)
    for item in changes:
        key, value = item.get("Key", ""), item.get("Value", "")
        spec = table.get(key)
        if spec is None:
            raise invalid(f"{what} attribute key '{key}' is not recognized")
        if not spec[1](value):
            # ecsd's own wording: AWS's text differs per attribute.
            raise invalid(f"{what} attribute '{key}' must be {spec[2]}, not '{value}'")
        out[key] = value
    return out


def as_list(attributes: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in attributes.items()]


# -- health checks -----------------------------------------------------------------------------

HEALTH_CHECK_DEFAULTS: dict[str, Any] = {
    "HealthCheckProtocol": None,  # the target group's protocol
    "HealthCheckPort": "traffic-port",
    "HealthCheckEnabled": True,
    "HealthCheckIntervalSeconds": 30,
    "HealthCheckTimeoutSeconds": 5,
    "HealthyThresholdCount": 5,
    "UnhealthyThresholdCount": 2,
    "HealthCheckPath": "/",
    "Matcher": {"HttpCode": "200"},
}

_CODES = re.compile(r"^\d{3}(-\d{3})?(,\d{3}(-\d{3})?)*$")


def check_health_check(doc: dict[str, Any]) -> None:
    """The cross-field rules of a target group's health check (the model checks ranges)."""
    if doc["HealthCheckProtocol"] not in ("HTTP", "HTTPS"):
        # ecsd's own wording: an Application Load Balancer checks over HTTP(S) only.
        raise invalid(
            f"Health check protocol '{doc['HealthCheckProtocol']}' is not supported for "
            f"target groups with the {doc['Protocol']} protocol"
        )
    port = doc["HealthCheckPort"]
    if port != "traffic-port" and not (port.isdigit() and 1 <= int(port) <= 65535):
        raise invalid("Health check port must be 'traffic-port' or an integer from 1 to 65535")
    path = doc["HealthCheckPath"]
    if not path.startswith("/") or len(path) > 1024:
        # ecsd's own wording.
        raise invalid("Health check path must begin with a '/' and be at most 1024 characters")
    if doc["HealthCheckTimeoutSeconds"] >= doc["HealthCheckIntervalSeconds"]:
        raise invalid("Health check interval must be greater than the timeout.")
    matcher = doc["Matcher"]
    code = matcher.get("HttpCode")
    if matcher.get("GrpcCode") is not None and doc.get("ProtocolVersion") != "GRPC":
        raise invalid(
            "A gRPC code matcher is only valid for target groups with protocol version GRPC"
        )
    if code is not None:
        if not _CODES.match(code) or not all(200 <= int(c) <= 499 for c in re.split(r"[-,]", code)):
            # ecsd's own wording; the 200-499 bound is AWS's for ALB target groups.
            raise invalid(
                f"Health check matcher HTTP code '{code}' must be within '200-499' "
                "(e.g. 200, 200,202 or 200-299)"
            )

"""The routing table: everything the data plane needs, as frozen values.

This is the contract between the load-balancing controller (which reads ELBv2's records
from the store and builds a `Table`) and the data plane (which serves it). The plane
never reads the store: the controller hands it a whole new `Table` whenever anything
changes (`Plane.apply`), and the plane swaps it in one assignment, so a request is always
routed by one consistent table. Health results flow the other way as `HealthReport`s.

Values are as the ELBv2 API stores them (after defaults were applied), with ports and
addresses resolved to where the plane can really connect: `Target.host`/`port` is the
address the proxy dials (a task's published host port on loopback), while
`Target.id`/`Target.port_id` are the registration AWS shows (the task's private IP and the
container port). Keys of target state (health, in-flight counts, draining) are
`(target_group_arn, Target.key)`, stable across tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

# -- targets and target groups ------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One registered target. `id`/`port_id` as registered (DescribeTargetHealth's
    TargetHealthDescriptions[].Target); `host`/`port` where to connect for traffic;
    `check_port` where health checks go (the health check's port, or the traffic port)."""

    id: str
    port_id: int
    host: str
    port: int
    check_port: int
    availability_zone: str | None = None
    # The store says this target was healthy when the table was built (ecsd restarted,
    # or the table was rebuilt): it keeps its traffic while checks resume, instead of
    # starting over at `initial`.
    known_healthy: bool = False

    @property
    def key(self) -> str:
        return f"{self.id}:{self.port_id}"


@dataclass(frozen=True)
class HealthCheck:
    """A target group's health check, defaults already applied (HTTP, path `/`,
    interval 30 s, timeout 5 s, healthy 5, unhealthy 2, matcher `200`)."""

    enabled: bool = True
    protocol: str = "HTTP"
    path: str = "/"
    interval_seconds: int = 30
    timeout_seconds: int = 5
    healthy_threshold: int = 5
    unhealthy_threshold: int = 2
    # The matcher as stored: "200", "200,202", "200-299" (HttpCode).
    matcher: str = "200"


@dataclass(frozen=True)
class Stickiness:
    enabled: bool = False
    type: Literal["lb_cookie", "app_cookie"] = "lb_cookie"
    duration_seconds: int = 86400
    cookie_name: str | None = None  # app_cookie only


@dataclass(frozen=True)
class TargetGroup:
    arn: str
    name: str
    protocol: str = "HTTP"
    target_type: Literal["ip", "instance"] = "ip"
    health_check: HealthCheck = field(default_factory=HealthCheck)
    targets: tuple[Target, ...] = ()
    # Targets deregistered but still draining: no new request, in-flight ones finish.
    # The controller keeps a target here until its deregistration delay has passed
    # (the plane reports `Drained` when its last in-flight request is done).
    draining: tuple[Target, ...] = ()
    deregistration_delay_seconds: int = 300
    slow_start_seconds: int = 0
    algorithm: Literal["round_robin", "least_outstanding_requests"] = "round_robin"
    stickiness: Stickiness = field(default_factory=Stickiness)


# -- rules ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Condition:
    """One rule condition. `field` is ELBv2's Field: host-header, path-pattern,
    http-header, http-request-method, query-string, source-ip. `values` are OR-ed;
    for http-header, `name` is the header; for query-string, `values` are "key=value"
    pairs where the key may be empty ("=value" matches any key)."""

    field: str
    values: tuple[str, ...]
    name: str | None = None


@dataclass(frozen=True)
class WeightedGroup:
    target_group_arn: str
    weight: int = 1


@dataclass(frozen=True)
class Forward:
    groups: tuple[WeightedGroup, ...]
    stickiness_enabled: bool = False
    stickiness_seconds: int = 3600


@dataclass(frozen=True)
class Redirect:
    """Placeholders #{protocol} #{host} #{port} #{path} #{query} as ELBv2 defines them."""

    status_code: Literal["HTTP_301", "HTTP_302"]
    protocol: str = "#{protocol}"
    host: str = "#{host}"
    port: str = "#{port}"
    path: str = "/#{path}"
    query: str = "#{query}"


@dataclass(frozen=True)
class FixedResponse:
    status_code: int
    content_type: str | None = None
    body: str | None = None


Action = Forward | Redirect | FixedResponse


@dataclass(frozen=True)
class Rule:
    arn: str
    priority: int  # the default rule sorts last (ELBv2 shows it as "default")
    conditions: tuple[Condition, ...]
    action: Action  # the one final action (forward, redirect or fixed-response)
    is_default: bool = False


# -- listeners and load balancers -------------------------------------------------------------


@dataclass(frozen=True)
class Listener:
    arn: str
    load_balancer_arn: str
    # The port the listener has in the API (80) and the port it really binds on the host
    # (80 where it can, else the documented fallback the controller chose).
    port: int
    bind_port: int
    protocol: str = "HTTP"
    # Rules sorted by priority, the default rule last.
    rules: tuple[Rule, ...] = ()
    # The load balancer's DNSName (e.g. `my-lb-123.us-east-1.elb.localhost`), used for
    # #{host} and in the Host checks; `idle_timeout` from its attributes.
    dns_name: str = ""
    idle_timeout_seconds: int = 60
    # routing.http.xff_header_processing.mode
    xff_mode: Literal["append", "preserve", "remove"] = "append"
    bind_host: str = "127.0.0.1"
    # HTTPS: (certificate chain PEM, private key PEM) of each issued certificate, the
    # default first, then the SNI ones; and the listener's SslPolicy.
    certificates: tuple[tuple[bytes, bytes], ...] = ()
    ssl_policy: str = ""


@dataclass(frozen=True)
class Table:
    listeners: tuple[Listener, ...] = ()
    target_groups: tuple[TargetGroup, ...] = ()

    def group(self, arn: str) -> TargetGroup | None:
        for g in self.target_groups:
            if g.arn == arn:
                return g
        return None


# -- what the plane reports back ------------------------------------------------------------


@dataclass(frozen=True)
class HealthReport:
    """A target's health changed, as DescribeTargetHealth shows it: state initial |
    healthy | unhealthy | draining | unused | unavailable, with ELBv2's reason code and
    description (None for healthy)."""

    target_group_arn: str
    target: Target
    state: str
    reason: str | None = None
    description: str | None = None


@dataclass(frozen=True)
class Drained:
    """A draining target has no request in flight any more (it may be removed before its
    deregistration delay ends, as ECS's DEACTIVATING step waits for exactly this)."""

    target_group_arn: str
    target: Target

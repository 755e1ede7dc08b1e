"""ELBv2 (Application Load Balancer) tables.

Each resource is a row keyed by its ARN with the columns lookups, uniqueness and paging
need, plus its `doc` as the Describe call shows it. Attributes are a JSON map beside the
doc (every key present, AWS's defaults filled in at create), so reading them back is the
row. `elbv2_tg_uses` says which listener or rule forwards to which target group (and for
which load balancer), so that DescribeTargetGroups' LoadBalancerArns and DeleteTargetGroup's
ResourceInUse are index lookups, not a scan of every action. Targets are rows of their
own because the health checks update them one by one.
"""

from __future__ import annotations

from sqlalchemy import JSON, Boolean, Column, Float, Index, Integer, String, Table

from .base import metadata

elbv2_load_balancers = Table(
    "elbv2_load_balancers",
    metadata,
    Column("arn", String, primary_key=True),
    Column("region", String, nullable=False),
    Column("name", String, nullable=False),
    Column("created", Float, nullable=False),
    Column("doc", JSON, nullable=False),  # as DescribeLoadBalancers shows it
    Column("attributes", JSON, nullable=False),  # key -> value (strings), every key
)
Index(
    "elbv2_lb_by_name",
    elbv2_load_balancers.c.region,
    elbv2_load_balancers.c.name,
    unique=True,
)

elbv2_target_groups = Table(
    "elbv2_target_groups",
    metadata,
    Column("arn", String, primary_key=True),
    Column("region", String, nullable=False),
    Column("name", String, nullable=False),
    Column("doc", JSON, nullable=False),  # as DescribeTargetGroups shows it, less LoadBalancerArns
    Column("attributes", JSON, nullable=False),
)
Index("elbv2_tg_by_name", elbv2_target_groups.c.region, elbv2_target_groups.c.name, unique=True)

elbv2_targets = Table(
    "elbv2_targets",
    metadata,
    Column("tg_arn", String, primary_key=True),
    Column("target_id", String, primary_key=True),
    Column("port", Integer, primary_key=True),
    Column("availability_zone", String),
    # The health the checks last reported: initial | healthy | unhealthy (draining is
    # `drain_until` set; unused / unavailable are derived when read).
    Column("state", String, nullable=False),
    Column("reason", String),
    Column("description", String),
    Column("registered_at", Float, nullable=False),
    Column("drain_until", Float),  # set once deregistered: draining until then
)
Index("elbv2_targets_draining", elbv2_targets.c.drain_until)

elbv2_listeners = Table(
    "elbv2_listeners",
    metadata,
    Column("arn", String, primary_key=True),
    Column("region", String, nullable=False),
    Column("lb_arn", String, nullable=False),
    Column("port", Integer, nullable=False),
    Column("doc", JSON, nullable=False),  # as DescribeListeners shows it
    Column("attributes", JSON, nullable=False),
)
Index("elbv2_listeners_by_lb", elbv2_listeners.c.lb_arn, elbv2_listeners.c.port, unique=True)

elbv2_rules = Table(
    "elbv2_rules",
    metadata,
    Column("arn", String, primary_key=True),
    Column("listener_arn", String, nullable=False),
    # 1..50000; the default rule sorts last with DEFAULT_PRIORITY.
    Column("priority", Integer, nullable=False),
    Column("is_default", Boolean, nullable=False),
    Column("doc", JSON, nullable=False),  # as DescribeRules shows it
)
Index("elbv2_rules_by_listener", elbv2_rules.c.listener_arn, elbv2_rules.c.priority, unique=True)

elbv2_tg_uses = Table(
    "elbv2_tg_uses",
    metadata,
    Column("tg_arn", String, primary_key=True),
    Column("user_arn", String, primary_key=True),  # the listener (default actions) or rule
    Column("lb_arn", String, nullable=False),
)
Index("elbv2_tg_uses_by_user", elbv2_tg_uses.c.user_arn)

elbv2_tags = Table(
    "elbv2_tags",
    metadata,
    Column("arn", String, primary_key=True),
    Column("tags", JSON, nullable=False),  # [{"Key", "Value"}] in the order added
)

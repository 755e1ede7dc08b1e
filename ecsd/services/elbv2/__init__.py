"""ELBv2 (the Application Load Balancer's API) on the ecsd endpoint: handlers write the
desired state (model/elbv2/); the load-balancing controller turns it into listeners and
target sets that the data plane (lb/) serves."""

from . import (  # noqa: F401  (registration)
    attributes,
    certificates,
    listeners,
    load_balancers,
    misc,
    rules,
    tags,
    target_groups,
    targets,
)
from .api import elbv2

__all__ = ["elbv2"]

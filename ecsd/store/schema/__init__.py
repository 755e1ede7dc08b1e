"""Tables, one module per hosted service, all on one `metadata`.

Each resource row keeps the columns that queries filter or sort on, plus the whole
resource as a JSON document (`doc`) as the API describes it, so that adding a field to a
resource needs no migration. A service's tables live in the module named after it;
import it here so that `create_all` and `/_ecsd/reset` see them.
"""

from . import (  # noqa: F401  (table registration)
    acm,
    autoscaling,
    cloudwatch,
    ec2,  # noqa: F401  (table registration)
    ec2_routing,  # noqa: F401  (table registration)
    ecr,
    ecr_lifecycle,
    ecs,
    ecs_service_deployments,
    ecs_services,
    ecs_tasks,
    elbv2,  # noqa: F401  (table registration)
    iam,  # noqa: F401  (table registration)
    logs,  # noqa: F401  (table registration)
    route53,  # noqa: F401  (table registration)
    secretsmanager,  # noqa: F401  (table registration)
    ssm,  # noqa: F401  (table registration)
)
from .base import metadata

__all__ = ["metadata"]

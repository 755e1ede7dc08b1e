"""SSM Parameter Store on the ecsd endpoint (what ECS task `secrets` read from)."""

from . import history, listing, parameters, tags  # noqa: F401  (registration)
from .api import ssm

__all__ = ["ssm"]

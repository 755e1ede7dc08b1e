"""IAM on the ecsd endpoint: roles and inline policies (stored, not enforced)."""

from . import inline, policies, profiles, roles, service_linked, tags  # noqa: F401  (registration)
from .api import iam

__all__ = ["iam"]

"""AWS Certificate Manager on the ecsd endpoint: certificates issued by ecsd's local CA
after DNS validation through Route 53 here, or imported; what HTTPS listeners serve."""

from . import certificates  # noqa: F401  (registration)
from .api import acm

__all__ = ["acm"]

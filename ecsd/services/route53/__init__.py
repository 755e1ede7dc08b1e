"""Route 53 on the ecsd endpoint (REST-XML): hosted zones and record sets as records,
what Terraform's aws_route53_zone / aws_route53_record and ACM's DNS validation use."""

from . import records, zones  # noqa: F401  (registration)
from .api import route53

__all__ = ["route53"]

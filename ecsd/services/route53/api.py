"""The Route 53 provider object."""

from ...aws.provider import Provider

route53 = Provider("route53", validation_error="InvalidInput", internal_error="InternalFailure")

"""The ELBv2 provider object (Query protocol, XML answers; errors `ValidationError`)."""

from ...aws.provider import Provider

elbv2 = Provider("elbv2", validation_error="ValidationError", internal_error="InternalFailure")

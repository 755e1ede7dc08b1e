"""The CloudWatch provider object."""

from ...aws.provider import Provider

cloudwatch = Provider(
    "cloudwatch", validation_error="InvalidParameterValue", internal_error="InternalServiceFault"
)

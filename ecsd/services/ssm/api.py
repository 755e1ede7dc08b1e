"""The SSM provider object."""

from ...aws.provider import Provider

ssm = Provider("ssm", validation_error="ValidationException", internal_error="InternalServerError")

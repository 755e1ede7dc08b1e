"""The ACM provider object."""

from ...aws.provider import Provider

acm = Provider("acm", validation_error="ValidationException", internal_error="InternalFailure")

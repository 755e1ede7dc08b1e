"""The IAM provider object (Query protocol, XML answers; global: one set of records)."""

from ...aws.provider import Provider

iam = Provider("iam", validation_error="ValidationError", internal_error="ServiceFailure")

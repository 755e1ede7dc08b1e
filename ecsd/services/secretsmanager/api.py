"""The Secrets Manager provider object."""

from ...aws.provider import Provider

secretsmanager = Provider("secretsmanager", validation_error="InvalidParameterException",
                          internal_error="InternalServiceError")

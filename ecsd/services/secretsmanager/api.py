"""The Secrets Manager provider object. Input that breaks the model's rules is a
ValidationException here, as Secrets Manager's front end answers it."""

from ...aws.provider import Provider

secretsmanager = Provider(
    "secretsmanager", validation_error="ValidationException", internal_error="InternalServiceError"
)

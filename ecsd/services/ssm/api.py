"""The SSM provider object."""

from ...aws.provider import Provider

# Parameter Store's front end enforces the model's regular expressions (a filter key
# outside `tag:.+|Name|…` is refused with the pattern), as Logs' does.
ssm = Provider(
    "ssm",
    validation_error="ValidationException",
    internal_error="InternalServerError",
    patterns=True,
)

"""The one exception type providers raise to answer with an AWS error."""

from __future__ import annotations

# The most of a caller's value any message repeats, and the longest message answered:
# AWS truncates long validation messages too, and an error must never cost more to
# answer than the request cost to send (50,000 names once answered 36 MB).
SHOWN_MAX = 2000
MESSAGE_MAX = 8192


def clip(text: str, limit: int = SHOWN_MAX) -> str:
    """`text`, cut to `limit` characters (marked with "...") when longer."""
    return text if len(text) <= limit else text[:limit] + "..."


class AwsError(Exception):
    """An error answer: `code` is the AWS error code (`__type` / `<Code>`).

    `sender_fault` picks HTTP 400 versus 500 and the Query protocol's `<Type>`.
    """

    def __init__(
        self, code: str, message: str, *, status: int | None = None, sender_fault: bool = True
    ) -> None:
        message = clip(message, MESSAGE_MAX)
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.sender_fault = sender_fault
        self.status = status if status is not None else (400 if sender_fault else 500)


class ValidationError(AwsError):
    """Input that does not fit the service model; the code is chosen per service."""


class SerializationError(AwsError):
    """A body that is not the JSON/form the model describes (wrong JSON, wrong types)."""

    def __init__(self, message: str) -> None:
        super().__init__("SerializationException", message)

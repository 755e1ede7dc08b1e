"""The one exception type providers raise to answer with an AWS error."""

from __future__ import annotations


class AwsError(Exception):
    """An error answer: `code` is the AWS error code (`__type` / `<Code>`).

    `sender_fault` picks HTTP 400 versus 500 and the Query protocol's `<Type>`.
    """

    def __init__(
        self, code: str, message: str, *, status: int | None = None, sender_fault: bool = True
    ) -> None:
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

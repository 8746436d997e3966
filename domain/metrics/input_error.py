"""The error of a typed log line the person can fix, shared by the parser and its helpers."""

from __future__ import annotations

from domain.errors import InvalidInput


class MetricInputError(InvalidInput):
    """A log line the person can fix; `message_key` ("metrics.error.…") says what is wrong."""

    def __init__(self, message_key: str, **params: object) -> None:
        super().__init__(message_key, **params)
        self.message_key = message_key

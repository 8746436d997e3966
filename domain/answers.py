"""The error every profile answer parser raises, with the hint to re-ask with.

It lives apart from `profile_input` so the parsers split out of it (`birth_dates`, `timezones`,
`measurements`) can raise it while `profile_input` re-exports them, without an import cycle.
"""

from __future__ import annotations

from domain.errors import InvalidInput


class InvalidAnswer(InvalidInput):
    """An answer the person can fix; `message_key` is the hint to re-ask with."""

    def __init__(self, hint_key: str, **params: object) -> None:
        super().__init__(hint_key, **params)
        self.message_key = hint_key

"""User text quoted back in a reply, kept short: whatever someone types, the reply fits.

A person may send up to 4096 characters; a reply that quotes all of it ("I don't know a metric
called “…”") plus its own words would be over Telegram's limit and fail. Every reply parameter
that carries text someone typed goes through `echo` (domain errors' parameters through
`echoed`); `bot.bounded_bot` is the safety net under it, not the rule.
"""

from __future__ import annotations

from collections.abc import Mapping

# Enough to recognise what one typed, short enough that any sentence quoting it stays small.
ECHO_LIMIT = 200
ELLIPSIS = "…"


def echo(text: str, limit: int = ECHO_LIMIT) -> str:
    """`text` as a reply quotes it: at most `limit` characters, ending in "…" where it was cut."""
    if len(text) <= limit:
        return text
    return text[: limit - len(ELLIPSIS)].rstrip() + ELLIPSIS


def echoed(params: Mapping[str, object]) -> dict[str, object]:
    """Message parameters with every text among them shortened as `echo` does."""
    return {key: echo(value) if isinstance(value, str) else value for key, value in params.items()}

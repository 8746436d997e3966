"""What is known about the update being processed, for its metrics and its log lines.

`BotApplication.process_update` opens a scope per update in a context variable; the handler
that takes the update names itself in it (`bot.metrics.labelled`), the guards and the error
handler say how it ended, and every log line written meanwhile carries the update's id, a hash
of its user's id and the handler (`bot.logs`). Setting it costs one context variable per
update; the user's hash is only computed when a line is actually written.
"""

from __future__ import annotations

import contextvars
import time

# What an update that nothing stopped and nothing failed counts as.
OK = "ok"


class UpdateScope:
    """One update in progress: who sent it, which handler took it, how it ended."""

    __slots__ = ("handler", "outcome", "started", "update_id", "user_id")

    def __init__(self, update_id: int, user_id: int | None) -> None:
        self.update_id = update_id
        self.user_id = user_id
        self.handler = "none"  # until a handler names itself (bot.metrics.labelled)
        self.outcome = OK
        self.started = time.perf_counter()


_CURRENT: contextvars.ContextVar[UpdateScope | None] = contextvars.ContextVar(
    "update_scope", default=None
)


def current() -> UpdateScope | None:
    """The scope of the update this code runs for, if any."""
    return _CURRENT.get()


def enter(scope: UpdateScope) -> contextvars.Token[UpdateScope | None]:
    """Make `scope` the current one; give the token back to `leave`."""
    return _CURRENT.set(scope)


def leave(token: contextvars.Token[UpdateScope | None]) -> None:
    """Restore the scope that was current before `enter`."""
    _CURRENT.reset(token)


def note_outcome(outcome: str) -> None:
    """Say how the current update ended (a guard stopped it, a handler failed, ...)."""
    scope = _CURRENT.get()
    if scope is not None:
        scope.outcome = outcome

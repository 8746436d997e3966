"""The booking capability's callback data: what its buttons carry (`handlers.shared.callback_data`).

Session buttons are `ses:<action>:<session short id>`, plus `:c` when pressed on a /schedule
card (which is then shown again; a notice just loses its buttons). The wire format is the one
buttons in messages already sent carry, so they keep working.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from handlers.shared.callback_data import CallbackData


class SessionAction(StrEnum):
    """What a session button does."""

    ACCEPT = "acc"
    DECLINE = "dec"
    DONE = "done"
    NO_SHOW = "noshow"
    NOTES = "notes"
    RATE_1 = "rate1"
    RATE_2 = "rate2"
    RATE_3 = "rate3"
    RATE_4 = "rate4"
    RATE_5 = "rate5"
    OPEN = "open"
    CANCEL = "cancel"
    CANCEL_OK = "cancelok"
    CANCEL_FEE = "cancelfee"
    SKIP = "skip"


RATINGS = {SessionAction(f"rate{n}"): n for n in range(1, 6)}


@dataclass(frozen=True)
class SessionPress(CallbackData, prefix="ses"):
    """A button on a session notice or card."""

    action: SessionAction
    session_id: uuid.UUID
    card: Literal["c"] | None = None

    @property
    def on_card(self) -> bool:
        """Pressed on a /schedule card, which is shown again after the press."""
        return self.card is not None


@dataclass(frozen=True)
class MoveSession(CallbackData, prefix="bk:move"):
    """Reschedule on a card: the booking flow, for this session."""

    session_id: uuid.UUID


def on_card(action: SessionAction, session_id: uuid.UUID) -> str:
    """A card's button: after the press, the card again."""
    return SessionPress(action, session_id, card="c").pack()


def rate(session_id: uuid.UUID, stars: int) -> str:
    """A star under the after-session notice."""
    return SessionPress(SessionAction(f"rate{stars}"), session_id).pack()


def actions_pattern(*actions: SessionAction) -> str:
    """The CallbackQueryHandler pattern for session presses of these actions only."""
    return rf"^{SessionPress.prefix}:({'|'.join(actions)}):"

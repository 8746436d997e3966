"""The booking capability's callback data: what its buttons carry (`handlers.shared.callback_data`).

The /availability card's buttons are `av:<action>:<coach>[:...]` and work whenever pressed.
The booking flow's buttons are `bk:<action>:<token>[:<choice>]`; Reschedule on a card is
`bk:move:<session>`, 📅 Book in the menu `bk:start` (`handlers.shared.menu_entries`).

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

BOOKING_FLOW, AVAILABILITY_FLOW = "bk", "av"


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


class BookingAction(StrEnum):
    """What a button of the /book and /reschedule flow does (the calendar's words are
    `handlers.booking.calendar_keyboard`'s)."""

    ATHLETE = "ath"
    SPORT = "sp"
    ANY_SPORT = "any"
    SOMEONE_ELSE = "who"  # another athlete than the child acted for (/children)
    PAGE = "pg"
    COACH = "co"
    TAKE_COACH = "take"
    LENGTH = "len"
    KIND = "typ"
    MONTH = "mo"
    DAY = "day"
    CLOSED_DAY = "no"
    IDLE = "nop"
    SLOT = "sl"
    CONFIRM = "ok"
    CONFIRM_PACK = "pk"  # confirm, paying with one of the family's packs (its index)
    NEAREST = "now"
    OTHER_DAY = "cal"
    SESSION = "ses"
    BACK = "back"
    CANCEL = "x"


@dataclass(frozen=True)
class BookingPress(CallbackData, prefix=BOOKING_FLOW):
    """A button of the booking flow: its action, the draft's token (a button of an earlier
    flow is stale), and the choice it offers (checked against what the step offered)."""

    action: BookingAction
    token: str
    choice: str | None = None


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


Flag = Literal["0", "1"]  # a switch's state after the press


@dataclass(frozen=True)
class AvailabilityHours(CallbackData, prefix="av:hours"):
    """A weekday on the card: its page, which asks for its hours."""

    coach_id: uuid.UUID
    weekday: str


@dataclass(frozen=True)
class AvailabilityUsualHours(CallbackData, prefix="av:hrs"):
    """One of the usual ranges a weekday's page offers (`0900-1300`): the day has those hours."""

    coach_id: uuid.UUID
    weekday: str
    hours: str


@dataclass(frozen=True)
class AvailabilityWeekday(CallbackData, prefix="av:day"):
    """Close a weekday, or open it with its last hours."""

    coach_id: uuid.UUID
    weekday: str
    open: Flag


@dataclass(frozen=True)
class AvailabilityLength(CallbackData, prefix="av:len"):
    """Offer a session length, or stop offering it."""

    coach_id: uuid.UUID
    minutes: int
    offered: Flag


@dataclass(frozen=True)
class AvailabilityType(CallbackData, prefix="av:typ"):
    """Offer a session type, or stop offering it."""

    coach_id: uuid.UUID
    kind: str
    offered: Flag


@dataclass(frozen=True)
class AvailabilityAutoAccept(CallbackData, prefix="av:auto"):
    """Switch auto-accept."""

    coach_id: uuid.UUID
    on: Flag


@dataclass(frozen=True)
class AvailabilityDateRemoved(CallbackData, prefix="av:undate"):
    """Give a special date (YYYYMMDD) its weekly hours back."""

    coach_id: uuid.UUID
    day: str


@dataclass(frozen=True)
class AvailabilityZone(CallbackData, prefix="av:zone"):
    """A zone offered for a bare UTC offset (an IANA name): the hours are read in it."""

    coach_id: uuid.UUID
    zone: str


@dataclass(frozen=True)
class AvailabilityPage(CallbackData, prefix="av:pg"):
    """Open a settings page, or the week again."""

    coach_id: uuid.UUID
    page: str


@dataclass(frozen=True)
class AvailabilityDone(CallbackData, prefix="av:done"):
    """Close the grid."""

    coach_id: uuid.UUID


@dataclass(frozen=True)
class WaitlistJoin(CallbackData, prefix="wlj"):
    """Join the waitlist of a full group session, for this athlete."""

    session_id: uuid.UUID
    athlete_id: uuid.UUID


class WaitlistAction(StrEnum):
    """What a button on a place in line does."""

    LEAVE = "out"
    ACCEPT = "yes"
    DECLINE = "no"


@dataclass(frozen=True)
class WaitlistPress(CallbackData, prefix="wl"):
    """Leave the line, or answer the offer of a freed place."""

    action: WaitlistAction
    entry_id: uuid.UUID

"""Buttons into other capabilities' flows: the main menu's (`handlers.people.menu`) and a few
next steps offered after an action (Book after /addchild, Set my hours after verification).

The menu and the flow it opens are in different capabilities, which never import each other,
so the entry points both need are declared here once; each flow registers its own handler
with the entry's `pattern()`. The data are those of menus already sent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from handlers.shared.callback_data import CallbackData


@dataclass(frozen=True)
class StartBooking(CallbackData, prefix="bk:start"):
    """📅 Book a session (`handlers.booking.book`)."""


@dataclass(frozen=True)
class SessionList(CallbackData, prefix="ses:list"):
    """My sessions, /schedule in place (`handlers.booking.sessions`)."""


@dataclass(frozen=True)
class WeeklySeries(CallbackData, prefix="srs:l"):
    """🔁 A coach's weekly series (`handlers.clubs.series`): on the coach's /schedule."""


@dataclass(frozen=True)
class AddChild(CallbackData, prefix="fam:add"):
    """Add a child (`handlers.people.family`)."""


@dataclass(frozen=True)
class ChildrenList(CallbackData, prefix="fam:list"):
    """My children (`handlers.people.family`)."""


@dataclass(frozen=True)
class CoachSetup(CallbackData, prefix="coach:setup"):
    """The coach profile and verification flow (`handlers.coaching.profile`)."""


@dataclass(frozen=True)
class PendingCoaches(CallbackData, prefix="admin:pending"):
    """Coaches waiting for verification (`handlers.coaching.verification`)."""


@dataclass(frozen=True)
class ShowProfile(CallbackData, prefix="profile:show"):
    """My profile (`handlers.people.profile`)."""


@dataclass(frozen=True)
class ViewAthlete(CallbackData, prefix="profile:view"):
    """👤 An athlete's profile, if the presser may view it (`handlers.people.profile`): on
    /children and on the coach's session card (`handlers.booking.session_render`)."""

    athlete_id: uuid.UUID


@dataclass(frozen=True)
class AskToMentor(CallbackData, prefix="mnt:ask"):
    """Ask a family to mentor their child, /mentor (`handlers.people.mentors`)."""


@dataclass(frozen=True)
class BookFor(CallbackData, prefix="bk:for"):
    """📅 Book for a child just added (`handlers.people.family`): /book, that athlete chosen
    (`handlers.booking.book`)."""

    athlete_id: uuid.UUID


@dataclass(frozen=True)
class OpenHours(CallbackData, prefix="av:open"):
    """🗓 Set my hours, on a newly verified coach's news (`handlers.coaching.verification`):
    the /availability grid (`handlers.booking.availability`)."""

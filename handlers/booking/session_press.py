"""Who acts on a booked session and which one: the press parsed, the person, their view of it.

Shared by /schedule and its buttons (`handlers.booking.sessions`) and by the typed steps after a
rating or a Notes press (`handlers.booking.session_words`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TypeVar

from telegram import Update

from bot.app import BotContext
from bot.callbacks import unpack
from domain.booking import schedule
from domain.booking.notices import FLOW
from domain.booking.sessions import SessionView
from domain.errors import NotAllowed, NotFound
from domain.policy import Actor

# The last callback argument of a card's buttons: after the press, show the card again (a
# notice's buttons lack it, and the notice just loses its buttons).
ON_CARD = "c"
# A press naming a session the presser has no part in is refused as forged.
FORBIDDEN = (NotAllowed, NotFound)
T = TypeVar("T")


@dataclass(frozen=True)
class Press:
    """A session button: what to do to which session, and whether it was on a card."""

    action: str
    session_id: uuid.UUID
    on_card: bool

    @classmethod
    def parse(cls, data: str | None) -> Press | None:
        """The press, or None for data no session button carries."""
        press = unpack(data, flow=FLOW)
        if press is None:
            return None
        session_id, rest = press.uuid_arg(0), press.args[1:]
        if session_id is None or rest not in ((), (ON_CARD,)):
            return None
        return cls(press.action, session_id, on_card=bool(rest))


@dataclass(frozen=True)
class Viewer:
    """Who pressed or typed, and the zone they read times in."""

    actor: Actor
    timezone: str


def now() -> datetime:
    """The moment a press or command acts at."""
    return datetime.now(UTC)


def viewer_of(update: Update, context: BotContext) -> Viewer | None:
    """The signed-up person behind the update and their time zone, or None."""
    actor = context.actor
    if actor is None or update.effective_user is None:
        return None
    return Viewer(actor, context.timezone)


async def pressed(
    update: Update, context: BotContext, actions: Mapping[str, T]
) -> tuple[Press, T, Viewer] | None:
    """The press, what `actions` holds for its action, and who pressed; None if any is missing."""
    press = Press.parse(update.callback_query.data)
    action = actions.get(press.action) if press is not None else None
    viewer = viewer_of(update, context) if action is not None else None
    if press is None or action is None or viewer is None:
        return None
    return press, action, viewer


async def session_for(context: BotContext, viewer: Viewer, session_id: uuid.UUID) -> SessionView:
    """The session as the viewer sees it; NotFound when they have no part in it."""
    return await schedule.session_for(context.uow, actor=viewer.actor, session_id=session_id)

"""Who acts on a booked session and which one: the press parsed, the person, their view of it.

Shared by /schedule and its buttons (`handlers.booking.sessions`) and by the typed steps after a
rating or a Notes press (`handlers.booking.session_words`).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, TypeVar

from telegram import Update

from domain.booking import schedule
from domain.booking.sessions import SessionView
from domain.errors import NotAllowed, NotFound
from domain.policy import Actor
from handlers.booking.callbacks import SessionAction, SessionPress

if TYPE_CHECKING:  # bot.app imports the outbox, which renders session cards through this
    from bot.app import BotContext

# A press naming a session the presser has no part in is refused as forged.
FORBIDDEN = (NotAllowed, NotFound)
T = TypeVar("T")


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
    update: Update, context: BotContext, actions: Mapping[SessionAction, T]
) -> tuple[SessionPress, T, Viewer] | None:
    """The press, what `actions` holds for its action, and who pressed; None if any is missing."""
    press = SessionPress.parse(update.callback_query.data)
    action = actions.get(press.action) if press is not None else None
    viewer = viewer_of(update, context) if action is not None else None
    if press is None or action is None or viewer is None:
        return None
    return press, action, viewer


async def session_for(context: BotContext, viewer: Viewer, session_id: uuid.UUID) -> SessionView:
    """The session as the viewer sees it; NotFound when they have no part in it."""
    return await schedule.session_for(context.uow, actor=viewer.actor, session_id=session_id)

"""Moving a session: which one, loaded into the draft so the booking's calendar can move it.

From the calendar on, a move takes the booking's own steps (`_booking_choices`); the session is
re-loaded for the presser, so a button can move only a session they are a party to.
"""

from __future__ import annotations

import uuid

from telegram import Update

from bot.app import BotContext
from bot.callbacks import refuse
from bot.i18n import t
from domain.booking import schedule
from domain.errors import NotFound
from domain.short_ids import parse_id
from handlers.booking.choices import Choice, read_choice
from handlers.booking.draft import Draft
from handlers.booking.screens import DAY, END, SESSIONS, end, show


async def pick_session(update: Update, context: BotContext, draft: Draft, choice: Choice) -> int:
    """A session of the /reschedule list."""
    session_id = read_choice(choice, parse_id, refusal="malformed session id")
    return await prepare_move(update, context, draft, session_id)


async def prepare_move(
    update: Update, context: BotContext, draft: Draft, session_id: uuid.UUID, *, fresh: bool = False
) -> int:
    """The session into the draft, as if booked again, and the calendar to pick its new day."""
    actor = context.actor
    try:
        if actor is None:
            raise NotFound("not signed up")
        view = await schedule.session_for(context.uow, actor=actor, session_id=session_id)
    except NotFound:
        await refuse(update, context, reason="moving a session the presser is no party to")
        return END if fresh else SESSIONS
    if not view.is_live:
        return await end(update, context, t("booking.move_not_live", context.lang), fresh=fresh)
    draft.session, draft.coach = str(view.id), str(view.coach_id)
    draft.coach_name, draft.coach_timezone = view.coach_name, view.coach_timezone
    draft.athlete_name = ", ".join(view.athlete_names)
    draft.length, draft.kind = view.minutes, view.session_type
    draft.was, draft.month = int(view.start.timestamp()), None
    return await show(update, context, draft, DAY, fresh=fresh)

"""/book and /reschedule: for whom, which coach, which day and time, confirm; or move a session.

One conversation ("booking") serves both: they share the calendar and the time steps. The
choices live in user_data (`handlers.booking.draft.Draft`); a button carries the flow's token
and one short argument (an index, a short id, YYYYMMDD, epoch seconds), and whatever it names is
checked again when it is pressed. The domain has the last word on every booking and move.

This module wires the conversation: its entry points, and which press goes to which step. What
each step loads and shows is in `_booking_screens`, what a press chooses in `_booking_choices`,
and which session a move starts from in `_booking_moves`.
"""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from domain.errors import DomainError
from domain.people import family
from domain.policy import Actor, athletes_actor_may_act_for
from domain.short_ids import short_id
from handlers.booking import choices, moves
from handlers.booking.callbacks import BOOKING_FLOW, BookingAction, BookingPress, MoveSession
from handlers.booking.choices import Choice, UnusablePress
from handlers.booking.draft import MOVE, Draft
from handlers.booking.screens import (
    ATHLETE,
    CARD,
    COACHES,
    CONFIRM,
    DAY,
    DRAFT,
    END,
    KIND,
    LENGTH,
    RETRY,
    SESSIONS,
    SLOT,
    SPORT,
    STATES,
    end,
    show,
    stale,
)
from handlers.shared.acting import child_acted_for, refusal_text
from handlers.shared.callback_data import flow_pattern
from handlers.shared.common import cancel_fallback
from handlers.shared.menu_entries import BookFor, StartBooking

_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
_BOOKERS = [("book", "booking.command.book"), ("reschedule", "booking.command.reschedule")]
ROLE_COMMANDS = {
    "athlete": _BOOKERS,
    "parent": _BOOKERS,
    "coach": [("reschedule", "booking.command.reschedule")],
}

Step = Callable[[Update, BotContext, Draft, Choice], Awaitable[int]]


def register(application: BotApplication) -> None:
    """Add the booking and reschedule flow, and the answer for its buttons once it is over."""
    application.add_handler(
        ConversationHandler(
            entry_points=[
                CommandHandler("book", start_booking, filters=_PRIVATE),
                CallbackQueryHandler(start_booking, pattern=StartBooking.pattern()),
                CallbackQueryHandler(start_booking_for, pattern=BookFor.pattern()),
                CommandHandler("reschedule", start_moving, filters=_PRIVATE),
                CallbackQueryHandler(move_session, pattern=MoveSession.pattern()),
            ],
            states={
                state: [CallbackQueryHandler(_on_button(state), pattern=flow_pattern(BOOKING_FLOW))]
                for state in STATES
            },
            fallbacks=[CommandHandler("cancel", cancel_command), cancel_fallback()],
            name="booking",
            persistent=True,
            allow_reentry=True,
        )
    )
    # Outside the flow (it ended, or never began in this chat) every booking button is stale.
    application.add_handler(CallbackQueryHandler(stale, pattern=flow_pattern(BOOKING_FLOW)))


async def start_booking(update: Update, context: BotContext) -> int:
    """/book and "Book a session": whom for (if several), then the coaches."""
    actor = context.actor
    if actor is None:
        return await end(update, context, t("booking.not_signed_up", context.lang))
    athlete_ids = athletes_actor_may_act_for(actor)
    if not athlete_ids:
        return await end(update, context, t("booking.only_athletes", context.lang))
    draft = Draft.new(context.timezone)
    draft.athletes = await _athlete_names(context, actor, athlete_ids)
    acting = child_acted_for(context)
    if acting in athlete_ids:  # chosen in /children: the sports step names them, and offers others
        choices.choose_athlete(draft, acting)
    elif len(athlete_ids) > 1:
        return await show(update, context, draft, ATHLETE, fresh=True)
    else:
        (only,) = athlete_ids
        choices.choose_athlete(draft, only)
    return await choices.to_sports(update, context, draft, fresh=True)


async def start_booking_for(update: Update, context: BotContext) -> int:
    """ "Book for <child>" (after /addchild): the booking, that athlete already chosen."""
    actor = context.actor
    press = BookFor.parse(update.callback_query.data)
    athlete_id = press.athlete_id if press is not None else None
    athlete_ids = athletes_actor_may_act_for(actor) if actor is not None else []
    # Callback data can be forged: only an athlete the presser books for is taken.
    if athlete_id is None or athlete_id not in athlete_ids:
        await refuse(update, context, reason="book for: not an athlete of the presser")
        return END
    draft = Draft.new(context.timezone)
    draft.athletes = await _athlete_names(context, actor, athlete_ids)
    choices.choose_athlete(draft, athlete_id)
    return await choices.to_sports(update, context, draft, fresh=True)


async def start_moving(update: Update, context: BotContext) -> int:
    """/reschedule: the upcoming sessions to pick one from."""
    if context.actor is None:
        return await end(update, context, t("booking.not_signed_up", context.lang))
    draft = Draft.new(context.timezone, mode=MOVE)
    return await show(update, context, draft, SESSIONS, fresh=True)


async def move_session(update: Update, context: BotContext) -> int:
    """The "Move" button of a session (bk:move:<id>): straight to the calendar."""
    press = MoveSession.parse(update.callback_query.data)
    if press is None:
        await refuse(update, context, reason="malformed move button")
        return END
    draft = Draft.new(context.timezone, mode=MOVE)
    return await moves.prepare_move(update, context, draft, press.session_id, fresh=True)


def _on_button(state: int) -> Callable[[Update, BotContext], Awaitable[int]]:
    async def on_button(update: Update, context: BotContext) -> int:
        query = update.callback_query
        press = BookingPress.parse(query.data)
        if press is None:
            await refuse(update, context, reason="malformed booking button")
            return state
        draft = Draft.from_json(context.user_data.get(DRAFT))
        if draft is None or press.token != draft.token:
            await stale(update, context)
            return state if draft is not None else END
        if press.action == BookingAction.IDLE:
            await query.answer()
            return state
        if press.action == BookingAction.CLOSED_DAY:
            await query.answer(t("booking.day_closed", context.lang), show_alert=True)
            return state
        step = _ANYWHERE.get(press.action) or _BUTTONS.get((state, press.action))
        if step is None:  # a button of another step, still on screen somewhere
            await stale(update, context)
            return state
        try:
            return await step(update, context, draft, press.choice)
        except UnusablePress as err:
            await refuse(update, context, reason=str(err))
            return state
        except DomainError as err:
            await query.answer(refusal_text(err, context), show_alert=True)
            return state

    return on_button


async def cancel(update: Update, context: BotContext, draft: Draft, choice: Choice) -> int:
    """The Cancel button."""
    return await end(update, context, t("booking.cancelled", context.lang))


async def cancel_command(update: Update, context: BotContext) -> int:
    """/cancel in the middle of the flow."""
    return await end(update, context, t("booking.cancelled", context.lang))


async def back(update: Update, context: BotContext, draft: Draft, choice: Choice) -> int:
    """The Back button: the step before the one on screen."""
    if len(draft.trail) < 2:
        await stale(update, context)
        return draft.trail[-1] if draft.trail else END
    draft.trail.pop()
    return await show(update, context, draft, draft.trail[-1])


async def _athlete_names(
    context: BotContext, actor: Actor, athlete_ids: frozenset[uuid.UUID]
) -> dict[str, str]:
    """Short id -> name of everyone the actor books for: themself first, then their children."""
    names = {}
    if actor.own_athlete_id in athlete_ids:
        names[short_id(actor.own_athlete_id)] = t("booking.athlete.me", context.lang)
    for child in await family.children_of(context.uow, actor=actor):
        if child.athlete_id in athlete_ids:
            names[short_id(child.athlete_id)] = child.first_name
    return names


# Buttons that work on any step of the flow.
_ANYWHERE: dict[BookingAction, Step] = {BookingAction.CANCEL: cancel, BookingAction.BACK: back}
_BUTTONS: dict[tuple[int, BookingAction], Step] = {
    (ATHLETE, BookingAction.ATHLETE): choices.pick_athlete,
    (SPORT, BookingAction.SPORT): choices.pick_sport,
    (SPORT, BookingAction.ANY_SPORT): choices.any_sport,
    (SPORT, BookingAction.SOMEONE_ELSE): choices.someone_else,
    (COACHES, BookingAction.PAGE): choices.turn_page,
    (COACHES, BookingAction.COACH): choices.pick_coach,
    (CARD, BookingAction.TAKE_COACH): choices.take_coach,
    (LENGTH, BookingAction.LENGTH): choices.pick_length,
    (KIND, BookingAction.KIND): choices.pick_kind,
    (DAY, BookingAction.MONTH): choices.go_to_month,
    (DAY, BookingAction.DAY): choices.pick_day,
    (SLOT, BookingAction.SLOT): choices.pick_slot,
    (CONFIRM, BookingAction.CONFIRM): choices.confirm,
    (CONFIRM, BookingAction.CONFIRM_PACK): choices.confirm_with_pack,
    (RETRY, BookingAction.NEAREST): choices.take_nearest,
    (RETRY, BookingAction.CONFIRM): choices.confirm,
    (RETRY, BookingAction.OTHER_DAY): choices.another_day,
    (SESSIONS, BookingAction.SESSION): moves.pick_session,
}

"""Booked sessions: /schedule, and the buttons on session notices and session cards.

Buttons carry `ses:<action>:<session short id>`, plus `:c` when pressed on a /schedule card
(which is then shown again in its new state; a notice just loses its buttons):
- `acc`, `dec`: the coach accepts or declines a request; `done`, `noshow`: the coach closes a
  session that has started; `notes`: the coach writes private notes;
- `rate1`..`rate5`: the athletes' side rates a completed session, then may add a line;
- `open`: a session's card; `list`: back to /schedule;
- `cancel` asks, `cancelok` cancels, `cancelfee` cancels although the fee stays due.
Rating and notes await typed text, so they are a conversation of their own
(`handlers.booking.session_words`). Moving a session is the booking flow's button (`bk:move:<sid>`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from domain.booking import changes as session_changes
from domain.booking import outcomes as session_outcomes
from domain.booking import schedule
from domain.booking.changes import Changed, LateCancellation
from domain.booking.sessions import SessionView
from domain.errors import DomainError
from domain.models import SessionStatus
from handlers.booking import session_render as render
from handlers.booking import session_words as words
from handlers.booking.callbacks import SessionAction, SessionPress
from handlers.booking.card_refresh import forget_card, remember_card
from handlers.booking.session_press import (
    FORBIDDEN,
    Viewer,
    now,
    pressed,
    session_for,
    viewer_of,
)
from handlers.shared.acting import refusal_text
from handlers.shared.menu_entries import SessionList

ROLE_COMMANDS = {
    role: [("schedule", "session.command.schedule")] for role in ("athlete", "parent", "coach")
}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
Button = Callable[[Update, BotContext, Viewer, SessionPress], Awaitable[None]]


def register(application: BotApplication) -> None:
    """Add /schedule, the notes and feedback conversation, and the session buttons."""
    application.add_handler(CommandHandler("schedule", show_schedule, filters=_PRIVATE))
    # Before the catch-all below, which would take the rating and notes presses too.
    application.add_handler(words.conversation())
    application.add_handler(CallbackQueryHandler(back_to_list, pattern=SessionList.pattern()))
    application.add_handler(CallbackQueryHandler(on_button, pattern=SessionPress.pattern()))


async def show_schedule(update: Update, context: BotContext) -> None:
    """/schedule: a coach's today and week, the athletes' side's next 30 days, or both."""
    viewer = viewer_of(update, context)
    if viewer is None:
        await update.effective_message.reply_text(t("session.list.not_signed_up", context.lang))
        return
    text, keyboard = await _schedule(context, viewer)
    await update.effective_message.reply_text(text, reply_markup=keyboard)


async def back_to_list(update: Update, context: BotContext) -> None:
    """« Back on a card: the list again, in place."""
    viewer = viewer_of(update, context)
    if viewer is None:
        await refuse(update, context, reason="session list: not signed up")
        return
    text, keyboard = await _schedule(context, viewer)
    await update.callback_query.answer()
    await render.show(update, text, keyboard)
    await forget_card(update, context)


async def _schedule(context: BotContext, viewer: Viewer) -> tuple[str, InlineKeyboardMarkup | None]:
    """A coach's today and week; the athletes' side's next 30 days; both for a coach who is
    also a parent (or an athlete themself)."""
    moment, lang, timezone = now(), context.lang, viewer.timezone
    sides = await schedule.schedule_of(
        context.uow, actor=viewer.actor, now=moment, timezone=timezone
    )
    texts = [
        render.list_text(views, coach_side=coach_side, timezone=timezone, now=moment, lang=lang)
        for coach_side, views in sides
    ]
    rows = []
    for coach_side, views in sides:
        keyboard = render.list_markup(views, coach_side=coach_side, timezone=timezone, lang=lang)
        rows += keyboard.inline_keyboard if keyboard else ()
    return "\n\n".join(texts), InlineKeyboardMarkup(rows) if rows else None


async def on_button(update: Update, context: BotContext) -> None:
    """Any session button but rating and notes: re-check the presser, act, show the result."""
    found = await pressed(update, context, _BUTTONS)
    if found is None:
        await refuse(update, context, reason="session button: malformed, unknown or not signed up")
        return
    press, action, viewer = found
    try:
        await action(update, context, viewer, press)
    except FORBIDDEN as err:
        await refuse(update, context, reason=f"session {press.action}: {type(err).__name__}")
    except DomainError as err:  # e.g. already decided, not started yet: nothing changed
        await update.callback_query.answer(refusal_text(err, context))
        await _refresh(update, context, viewer, press)


async def accept(update: Update, context: BotContext, viewer: Viewer, press: SessionPress) -> None:
    """The coach accepts a request: the athletes' side hears, with the calendar file."""
    changed = await _decide(context, viewer, press, accept=True)
    await _done(update, context, viewer, changed.session, press, "session.accepted")


async def decline(update: Update, context: BotContext, viewer: Viewer, press: SessionPress) -> None:
    """The coach declines a request; the slot is free again."""
    changed = await _decide(context, viewer, press, accept=False)
    await _done(update, context, viewer, changed.session, press, "session.declined")


async def _decide(
    context: BotContext, viewer: Viewer, press: SessionPress, *, accept: bool
) -> Changed:
    return await session_changes.decide(
        context.uow,
        actor=viewer.actor,
        session_id=press.session_id,
        accept=accept,
        now=now(),
        slots=context.services.slots,
        refund=context.services.cancellation_refund,
    )


async def completed(
    update: Update, context: BotContext, viewer: Viewer, press: SessionPress
) -> None:
    """The coach marks a started session completed."""
    view = await _outcome(context, viewer, press, SessionStatus.COMPLETED)
    await _done(update, context, viewer, view, press, "session.marked_completed")


async def no_show(update: Update, context: BotContext, viewer: Viewer, press: SessionPress) -> None:
    """The coach marks a started session a no-show."""
    view = await _outcome(context, viewer, press, SessionStatus.NO_SHOW)
    await _done(update, context, viewer, view, press, "session.marked_no_show")


async def _outcome(
    context: BotContext, viewer: Viewer, press: SessionPress, outcome: str
) -> SessionView:
    return await session_outcomes.record_outcome(
        context.uow, actor=viewer.actor, session_id=press.session_id, outcome=outcome, now=now()
    )


async def open_card(
    update: Update, context: BotContext, viewer: Viewer, press: SessionPress
) -> None:
    """A session's card with what can be done to it now."""
    view = await session_for(context, viewer, press.session_id)
    await update.callback_query.answer()
    await _show_card(update, context, viewer, view, on_card=True)


async def ask_cancel(
    update: Update, context: BotContext, viewer: Viewer, press: SessionPress
) -> None:
    """Cancel, first press: are you sure?"""
    view = await session_for(context, viewer, press.session_id)
    coach_side = render.runs(viewer.actor, view)
    question = t("session.confirm_cancel", context.lang)
    text = render.card_text(
        view, coach_side=coach_side, timezone=viewer.timezone, lang=context.lang, note=question
    )
    await update.callback_query.answer()
    await render.show(update, text, render.confirm_cancel_markup(view, context.lang))
    await forget_card(update, context)


async def cancel(update: Update, context: BotContext, viewer: Viewer, press: SessionPress) -> None:
    """Cancel, confirmed; inside the free window the athletes' side is asked about the fee."""
    try:
        changed = await _cancel(context, viewer, press, accept_fee=False)
    except LateCancellation as err:
        # The domain's words name the fee and ask whether to cancel anyway.
        keyboard = render.late_cancel_markup(press.session_id, context.lang)
        await update.callback_query.answer()
        await render.show(update, refusal_text(err, context), keyboard)
        return
    await _cancelled(update, context, viewer, press, changed)


async def cancel_with_fee(
    update: Update, context: BotContext, viewer: Viewer, press: SessionPress
) -> None:
    """Cancel although the fee stays due (the second confirmation of a late cancellation)."""
    changed = await _cancel(context, viewer, press, accept_fee=True)
    await _cancelled(update, context, viewer, press, changed)


async def _cancel(
    context: BotContext, viewer: Viewer, press: SessionPress, *, accept_fee: bool
) -> Changed:
    return await session_changes.cancel(
        context.uow,
        actor=viewer.actor,
        session_id=press.session_id,
        now=now(),
        slots=context.services.slots,
        refund=context.services.cancellation_refund,
        accept_fee=accept_fee,
    )


async def _cancelled(
    update: Update, context: BotContext, viewer: Viewer, press: SessionPress, changed: Changed
) -> None:
    if changed.session.status != SessionStatus.CANCELLED:  # a group session the others still go to
        key = "session.left_group"
    else:
        key = "session.cancelled_fee_due" if changed.fee_due else "session.cancelled"
    await _done(update, context, viewer, changed.session, press, key)


async def stale_skip(
    update: Update, context: BotContext, viewer: Viewer, press: SessionPress
) -> None:
    """Skip pressed when no feedback is awaited any more."""
    await update.callback_query.answer(t("common.stale_button", context.lang))
    await render.drop_buttons(update)


async def _done(
    update: Update,
    context: BotContext,
    viewer: Viewer,
    view: SessionView,
    press: SessionPress,
    note_key: str,
) -> None:
    note = t(note_key, context.lang)
    await update.callback_query.answer(note)
    await _show_card(update, context, viewer, view, on_card=press.on_card, note=note)


async def _refresh(
    update: Update, context: BotContext, viewer: Viewer, press: SessionPress
) -> None:
    """After a refused press, show the session as it is now."""
    try:
        view = await session_for(context, viewer, press.session_id)
    except DomainError:
        return
    await _show_card(update, context, viewer, view, on_card=press.on_card)


async def _show_card(
    update: Update,
    context: BotContext,
    viewer: Viewer,
    view: SessionView,
    *,
    on_card: bool,
    note: str = "",
) -> None:
    """The card in place of the pressed message; the coach's is remembered, to be refreshed."""
    await render.show_card(update, viewer, view, context.lang, on_card=on_card, note=note)
    if render.runs(viewer.actor, view):
        await remember_card(update, context, view, buttons=on_card)


_BUTTONS: dict[SessionAction, Button] = {
    SessionAction.ACCEPT: accept,
    SessionAction.DECLINE: decline,
    SessionAction.DONE: completed,
    SessionAction.NO_SHOW: no_show,
    SessionAction.OPEN: open_card,
    SessionAction.CANCEL: ask_cancel,
    SessionAction.CANCEL_OK: cancel,
    SessionAction.CANCEL_FEE: cancel_with_fee,
    SessionAction.SKIP: stale_skip,
}

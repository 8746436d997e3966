"""Booked sessions: /schedule, and the buttons on session notices and session cards.

Buttons carry `ses:<action>:<session short id>`, plus `:c` when pressed on a /schedule card
(which is then shown again in its new state; a notice just loses its buttons):
- `acc`, `dec`: the coach accepts or declines a request; `done`, `noshow`: the coach closes a
  session that has started; `notes`: the coach writes private notes;
- `rate1`..`rate5`: the athletes' side rates a completed session, then may add a line;
- `open`: a session's card; `list`: back to /schedule;
- `cancel` asks, `cancelok` cancels, `cancelfee` cancels although the fee stays due.
Moving a session is the booking flow's button (`bk:move:<sid>`).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, time, timedelta

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import pattern, refuse
from bot.i18n import t
from domain import schedule, session_changes, session_outcomes
from domain.errors import DomainError, InvalidInput, NotAllowed, NotFound
from domain.session_changes import Changed, LateCancellation
from domain.session_notices import FLOW
from domain.sessions import CANCELLED, COMPLETED, NO_SHOW, SessionView
from domain.timezones import zone_of
from handlers import _session_render as render
from handlers._acting import current_actor, current_timezone, refusal_text
from handlers._session_render import Press, Viewer
from handlers.common import cancel_fallback

log = logging.getLogger(__name__)
FEEDBACK, NOTES = range(2)
# user_data while a line of text is awaited: the session, the rating, the message to tidy up.
WRITING = "session_writing"
END = ConversationHandler.END
ROLE_COMMANDS = {
    role: [("schedule", "session.command.schedule")] for role in ("athlete", "parent", "coach")
}
COACH_DAYS = 7
ATHLETE_DAYS = 30
RATINGS = {f"rate{n}": n for n in range(1, 6)}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
_TEXT = _PRIVATE & f.TEXT & ~f.COMMAND
# A press naming a session the presser has no part in is refused as forged.
_FORBIDDEN = (NotAllowed, NotFound)
Button = Callable[[Update, BotContext, Viewer, Press], Awaitable[None]]


def register(application: BotApplication) -> None:
    """Add /schedule, the notes and feedback conversation, and the session buttons."""
    application.add_handler(CommandHandler("schedule", show_schedule, filters=_PRIVATE))
    application.add_handler(
        ConversationHandler(
            entry_points=[
                CallbackQueryHandler(rate_pressed, pattern=rf"^{FLOW}:rate[1-5]:"),
                CallbackQueryHandler(notes_pressed, pattern=rf"^{FLOW}:notes:"),
            ],
            states={
                FEEDBACK: [
                    MessageHandler(_TEXT, feedback_typed),
                    CallbackQueryHandler(skip_feedback, pattern=rf"^{FLOW}:skip:"),
                    MessageHandler(_PRIVATE & ~f.COMMAND, _text_expected(FEEDBACK)),
                ],
                NOTES: [
                    MessageHandler(_TEXT, notes_typed),
                    MessageHandler(_PRIVATE & ~f.COMMAND, _text_expected(NOTES)),
                ],
            },
            fallbacks=[cancel_fallback()],
            name="session_words",
            persistent=True,
            allow_reentry=True,
        )
    )
    application.add_handler(CallbackQueryHandler(back_to_list, pattern=rf"^{FLOW}:list$"))
    application.add_handler(CallbackQueryHandler(on_button, pattern=pattern(FLOW)))


def now() -> datetime:
    """The moment a press or command acts at."""
    return datetime.now(UTC)


async def viewer_of(update: Update, context: BotContext) -> Viewer | None:
    """The signed-up person behind the update and their time zone, or None."""
    actor = await current_actor(update, context)
    if actor is None or update.effective_user is None:
        return None
    return Viewer(actor, await current_timezone(update, context))


async def show_schedule(update: Update, context: BotContext) -> None:
    """/schedule: a coach's today and week, or the athletes' side's next 30 days."""
    viewer = await viewer_of(update, context)
    if viewer is None:
        await update.effective_message.reply_text(t("session.list.not_signed_up", context.lang))
        return
    text, keyboard = await _schedule(context, viewer)
    await update.effective_message.reply_text(text, reply_markup=keyboard)


async def back_to_list(update: Update, context: BotContext) -> None:
    """« Back on a card: the list again, in place."""
    viewer = await viewer_of(update, context)
    if viewer is None:
        await refuse(update, context, reason="session list: not signed up")
        return
    text, keyboard = await _schedule(context, viewer)
    await update.callback_query.answer()
    await render.show(update, text, keyboard)


async def _schedule(context: BotContext, viewer: Viewer) -> tuple[str, InlineKeyboardMarkup | None]:
    moment, zone = now(), zone_of(viewer.timezone)
    coach_side = viewer.actor.coach_id is not None
    async with context.uow() as uow:
        if coach_side:
            today = moment.astimezone(zone).date()
            start = datetime.combine(today, time(), tzinfo=zone)
            end = datetime.combine(today + timedelta(days=COACH_DAYS), time(), tzinfo=zone)
            views = await schedule.coach_sessions(uow, actor=viewer.actor, start=start, end=end)
        else:
            end = moment + timedelta(days=ATHLETE_DAYS)
            views = await schedule.athlete_sessions(uow, actor=viewer.actor, start=moment, end=end)
    lang, timezone = context.lang, viewer.timezone
    return (
        render.list_text(views, coach_side=coach_side, timezone=timezone, now=moment, lang=lang),
        render.list_markup(views, coach_side=coach_side, timezone=timezone, lang=lang),
    )


async def on_button(update: Update, context: BotContext) -> None:
    """Any session button but rating and notes: re-check the presser, act, show the result."""
    press = Press.parse(update.callback_query.data)
    action = _BUTTONS.get(press.action) if press is not None else None
    viewer = await viewer_of(update, context) if action is not None else None
    if press is None or action is None or viewer is None:
        await refuse(update, context, reason="session button: malformed, unknown or not signed up")
        return
    try:
        await action(update, context, viewer, press)
    except _FORBIDDEN as err:
        await refuse(update, context, reason=f"session {press.action}: {type(err).__name__}")
    except DomainError as err:  # e.g. already decided, not started yet: nothing changed
        await update.callback_query.answer(refusal_text(err, context))
        await _refresh(update, context, viewer, press)


async def accept(update: Update, context: BotContext, viewer: Viewer, press: Press) -> None:
    """The coach accepts a request: the athletes' side hears, with the calendar file."""
    changed = await _decide(context, viewer, press, accept=True)
    await _done(update, context, viewer, changed.session, press, "session.accepted")


async def decline(update: Update, context: BotContext, viewer: Viewer, press: Press) -> None:
    """The coach declines a request; the slot is free again."""
    changed = await _decide(context, viewer, press, accept=False)
    await _done(update, context, viewer, changed.session, press, "session.declined")


async def _decide(context: BotContext, viewer: Viewer, press: Press, *, accept: bool) -> Changed:
    return await session_changes.decide(
        context.uow(),
        actor=viewer.actor,
        session_id=press.session_id,
        accept=accept,
        now=now(),
        slots=context.services.slots,
    )


async def completed(update: Update, context: BotContext, viewer: Viewer, press: Press) -> None:
    """The coach marks a started session completed."""
    view = await _outcome(context, viewer, press, COMPLETED)
    await _done(update, context, viewer, view, press, "session.marked_completed")


async def no_show(update: Update, context: BotContext, viewer: Viewer, press: Press) -> None:
    """The coach marks a started session a no-show."""
    view = await _outcome(context, viewer, press, NO_SHOW)
    await _done(update, context, viewer, view, press, "session.marked_no_show")


async def _outcome(context: BotContext, viewer: Viewer, press: Press, outcome: str) -> SessionView:
    return await session_outcomes.record_outcome(
        context.uow(), actor=viewer.actor, session_id=press.session_id, outcome=outcome, now=now()
    )


async def open_card(update: Update, context: BotContext, viewer: Viewer, press: Press) -> None:
    """A session's card with what can be done to it now."""
    view = await _session(context, viewer, press.session_id)
    await update.callback_query.answer()
    await render.show_card(update, viewer, view, context.lang, on_card=True)


async def ask_cancel(update: Update, context: BotContext, viewer: Viewer, press: Press) -> None:
    """Cancel, first press: are you sure?"""
    view = await _session(context, viewer, press.session_id)
    coach_side = render.runs(viewer.actor, view)
    question = t("session.confirm_cancel", context.lang)
    text = render.card_text(
        view, coach_side=coach_side, timezone=viewer.timezone, lang=context.lang, note=question
    )
    await update.callback_query.answer()
    await render.show(update, text, render.confirm_cancel_markup(view, context.lang))


async def cancel(update: Update, context: BotContext, viewer: Viewer, press: Press) -> None:
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
    update: Update, context: BotContext, viewer: Viewer, press: Press
) -> None:
    """Cancel although the fee stays due (the second confirmation of a late cancellation)."""
    changed = await _cancel(context, viewer, press, accept_fee=True)
    await _cancelled(update, context, viewer, press, changed)


async def _cancel(
    context: BotContext, viewer: Viewer, press: Press, *, accept_fee: bool
) -> Changed:
    return await session_changes.cancel(
        context.uow(),
        actor=viewer.actor,
        session_id=press.session_id,
        now=now(),
        slots=context.services.slots,
        accept_fee=accept_fee,
    )


async def _cancelled(
    update: Update, context: BotContext, viewer: Viewer, press: Press, changed: Changed
) -> None:
    if changed.session.status != CANCELLED:  # a group session the others still go to
        key = "session.left_group"
    else:
        key = "session.cancelled_fee_due" if changed.fee_due else "session.cancelled"
    await _done(update, context, viewer, changed.session, press, key)


async def stale_skip(update: Update, context: BotContext, viewer: Viewer, press: Press) -> None:
    """Skip pressed when no feedback is awaited any more."""
    await update.callback_query.answer(t("common.stale_button", context.lang))
    await render.drop_buttons(update)


async def rate_pressed(update: Update, context: BotContext) -> int:
    """A star under the after-session notice: saved at once, then one line is invited."""
    press = Press.parse(update.callback_query.data)
    rating = RATINGS.get(press.action) if press is not None else None
    viewer = await viewer_of(update, context) if rating is not None else None
    if press is None or rating is None or viewer is None:
        await refuse(update, context, reason="rating: malformed or not signed up")
        return END
    try:
        view = await session_outcomes.rate(
            context.uow(), actor=viewer.actor, session_id=press.session_id, rating=rating
        )
    except _FORBIDDEN as err:
        await refuse(update, context, reason=f"rating: {type(err).__name__}")
        return END
    except DomainError as err:  # not completed (a no-show, cancelled): nothing to rate
        await update.callback_query.answer(refusal_text(err, context), show_alert=True)
        return END
    _remember(update, context, view.id, rating=rating)
    prompt = t("session.rated", context.lang, rating=rating)
    await update.callback_query.answer()
    text = render.card_text(
        view, coach_side=False, timezone=viewer.timezone, lang=context.lang, note=prompt
    )
    await render.show(update, text, render.skip_markup(view.id, context.lang))
    return FEEDBACK


async def feedback_typed(update: Update, context: BotContext) -> int:
    """The line of feedback, kept with the rating."""
    writing = context.user_data.get(WRITING) or {}
    viewer = await viewer_of(update, context)
    try:
        if viewer is None or "rating" not in writing:
            raise NotAllowed("no rating under way")
        await session_outcomes.rate(
            context.uow(),
            actor=viewer.actor,
            session_id=uuid.UUID(writing["session"]),
            rating=writing["rating"],
            feedback=update.effective_message.text,
        )
    except InvalidInput as err:  # too long: they may shorten it
        await update.effective_message.reply_text(refusal_text(err, context))
        return FEEDBACK
    except DomainError as err:
        await update.effective_message.reply_text(refusal_text(err, context))
        return await _stop_writing(context)
    await update.effective_message.reply_text(t("session.feedback_saved", context.lang))
    return await _stop_writing(context)


async def skip_feedback(update: Update, context: BotContext) -> int:
    """No words, the rating stands."""
    await update.callback_query.answer(t("session.rating_done", context.lang))
    return await _stop_writing(context)


async def notes_pressed(update: Update, context: BotContext) -> int:
    """Notes on a card: ask the coach for the text."""
    press = Press.parse(update.callback_query.data)
    viewer = await viewer_of(update, context) if press is not None else None
    try:
        if press is None or press.action != "notes" or viewer is None:
            raise NotAllowed("malformed notes button")
        view = await _session(context, viewer, press.session_id)
        if not render.runs(viewer.actor, view):
            raise NotAllowed("notes on a session the presser does not run")
    except _FORBIDDEN as err:
        await refuse(update, context, reason=f"notes: {type(err).__name__}")
        return END
    _remember(update, context, view.id)
    await update.callback_query.answer()
    await update.effective_message.reply_text(t("session.ask_notes", context.lang))
    return NOTES


async def notes_typed(update: Update, context: BotContext) -> int:
    """The coach's notes: saved, and the card shown again with them."""
    writing = context.user_data.get(WRITING) or {}
    viewer = await viewer_of(update, context)
    try:
        if viewer is None or "session" not in writing:
            raise NotAllowed("no notes under way")
        view = await session_outcomes.add_coach_notes(
            context.uow(),
            actor=viewer.actor,
            session_id=uuid.UUID(writing["session"]),
            notes=update.effective_message.text,
        )
    except InvalidInput as err:
        await update.effective_message.reply_text(refusal_text(err, context))
        return NOTES
    except DomainError as err:
        await update.effective_message.reply_text(refusal_text(err, context))
        return await _stop_writing(context)
    saved = t("session.notes_saved", context.lang)
    text = render.card_text(
        view, coach_side=True, timezone=viewer.timezone, lang=context.lang, note=saved
    )
    keyboard = render.card_markup(view, coach_side=True, now=now(), lang=context.lang)
    await update.effective_message.reply_text(text, reply_markup=keyboard)
    context.user_data.pop(WRITING, None)
    return END


def _text_expected(state: int) -> Callable[[Update, BotContext], Awaitable[int]]:
    async def text_expected(update: Update, context: BotContext) -> int:
        await update.effective_message.reply_text(t("session.text_expected", context.lang))
        return state

    return text_expected


def _remember(
    update: Update, context: BotContext, session_id: uuid.UUID, *, rating: int | None = None
) -> None:
    message = update.callback_query.message
    writing: dict[str, object] = {"session": str(session_id)}
    if rating is not None:
        writing["rating"] = rating
    if message is not None:
        writing.update(chat=message.chat.id, message=message.message_id)
    context.user_data[WRITING] = writing


async def _stop_writing(context: BotContext) -> int:
    """Forget the awaited text and take the Skip button off the message that offered it."""
    writing = context.user_data.pop(WRITING, None) or {}
    chat_id, message_id = writing.get("chat"), writing.get("message")
    if "rating" in writing and isinstance(chat_id, int) and isinstance(message_id, int):
        try:
            await context.bot.edit_message_reply_markup(chat_id, message_id, reply_markup=None)
        except TelegramError as err:  # gone or unchanged; the rating stands
            log.info("could not take the Skip button off: %r", err)
    return END


async def _session(context: BotContext, viewer: Viewer, session_id: uuid.UUID) -> SessionView:
    async with context.uow() as uow:
        return await schedule.session_for(uow, actor=viewer.actor, session_id=session_id)


async def _done(
    update: Update,
    context: BotContext,
    viewer: Viewer,
    view: SessionView,
    press: Press,
    note_key: str,
) -> None:
    note = t(note_key, context.lang)
    await update.callback_query.answer(note)
    await render.show_card(update, viewer, view, context.lang, on_card=press.on_card, note=note)


async def _refresh(update: Update, context: BotContext, viewer: Viewer, press: Press) -> None:
    """After a refused press, show the session as it is now."""
    try:
        view = await _session(context, viewer, press.session_id)
    except DomainError:
        return
    await render.show_card(update, viewer, view, context.lang, on_card=press.on_card)


_BUTTONS: dict[str, Button] = {
    "acc": accept,
    "dec": decline,
    "done": completed,
    "noshow": no_show,
    "open": open_card,
    "cancel": ask_cancel,
    "cancelok": cancel,
    "cancelfee": cancel_with_fee,
    "skip": stale_skip,
}

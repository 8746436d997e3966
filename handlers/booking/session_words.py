"""The typed steps on a session: a line of feedback after a rating, and the coach's notes.

A star (`ses:rate<n>:<sid>`) saves the rating at once and invites one line, which Skip
(`ses:skip:<sid>`) declines; Notes (`ses:notes:<sid>[:c]`) asks the coach for private notes.
`handlers.booking.sessions` registers this conversation ahead of its catch-all session buttons.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.app import BotContext
from bot.callbacks import refuse
from bot.i18n import t
from domain.booking import outcomes as session_outcomes
from domain.errors import DomainError, InvalidInput, NotAllowed
from handlers.booking import session_render as render
from handlers.booking.callbacks import RATINGS, SessionAction, SessionPress, actions_pattern
from handlers.booking.session_press import (
    FORBIDDEN,
    Viewer,
    now,
    pressed,
    session_for,
    viewer_of,
)
from handlers.shared.acting import refusal_text
from handlers.shared.common import cancel_fallback

log = logging.getLogger(__name__)
# Persisted conversation states: keep their values, or saved conversations resume wrongly.
FEEDBACK, NOTES = range(2)
# user_data while a line of text is awaited: the session, the rating, the message to tidy up.
WRITING = "session_writing"
END = ConversationHandler.END
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
_TEXT = _PRIVATE & f.TEXT & ~f.COMMAND


def conversation() -> ConversationHandler[BotContext]:
    """Rating and notes presses, and the text each then awaits."""
    return ConversationHandler(
        entry_points=[
            CallbackQueryHandler(rate_pressed, pattern=actions_pattern(*RATINGS)),
            CallbackQueryHandler(notes_pressed, pattern=actions_pattern(SessionAction.NOTES)),
        ],
        states={
            FEEDBACK: [
                MessageHandler(_TEXT, feedback_typed),
                CallbackQueryHandler(skip_feedback, pattern=actions_pattern(SessionAction.SKIP)),
                MessageHandler(_PRIVATE & ~f.COMMAND, _text_expected(FEEDBACK)),
            ],
            NOTES: [
                MessageHandler(_TEXT, notes_typed),
                MessageHandler(_PRIVATE & ~f.COMMAND, _text_expected(NOTES)),
            ],
        },
        fallbacks=[cancel_fallback()],
        # The persisted states are saved under this name; renaming it strands them.
        name="session_words",
        persistent=True,
        allow_reentry=True,
    )


async def rate_pressed(update: Update, context: BotContext) -> int:
    """A star under the after-session notice: saved at once, then one line is invited."""
    found = await pressed(update, context, RATINGS)
    if found is None:
        await refuse(update, context, reason="rating: malformed or not signed up")
        return END
    press, rating, viewer = found
    try:
        view = await session_outcomes.rate(
            context.uow, actor=viewer.actor, session_id=press.session_id, rating=rating
        )
    except FORBIDDEN as err:
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
    try:
        viewer, writing = await _awaited(update, context, needs="rating")
        await session_outcomes.rate(
            context.uow,
            actor=viewer.actor,
            session_id=uuid.UUID(writing["session"]),
            rating=writing["rating"],
            feedback=update.effective_message.text,
        )
    except DomainError as err:
        return await _refused(update, context, err, retry=FEEDBACK)
    await update.effective_message.reply_text(t("session.feedback_saved", context.lang))
    return await _stop_writing(context)


async def skip_feedback(update: Update, context: BotContext) -> int:
    """No words, the rating stands."""
    await update.callback_query.answer(t("session.rating_done", context.lang))
    return await _stop_writing(context)


async def notes_pressed(update: Update, context: BotContext) -> int:
    """Notes on a card: ask the coach for the text."""
    press = SessionPress.parse(update.callback_query.data)
    viewer = viewer_of(update, context) if press is not None else None
    try:
        if press is None or press.action != SessionAction.NOTES or viewer is None:
            raise NotAllowed("malformed notes button")
        view = await session_for(context, viewer, press.session_id)
        if not render.runs(viewer.actor, view):
            raise NotAllowed("notes on a session the presser does not run")
    except FORBIDDEN as err:
        await refuse(update, context, reason=f"notes: {type(err).__name__}")
        return END
    _remember(update, context, view.id)
    await update.callback_query.answer()
    await update.effective_message.reply_text(t("session.ask_notes", context.lang))
    return NOTES


async def notes_typed(update: Update, context: BotContext) -> int:
    """The coach's notes: saved, and the card shown again with them."""
    try:
        viewer, writing = await _awaited(update, context, needs="session")
        view = await session_outcomes.add_coach_notes(
            context.uow,
            actor=viewer.actor,
            session_id=uuid.UUID(writing["session"]),
            notes=update.effective_message.text,
        )
    except DomainError as err:
        return await _refused(update, context, err, retry=NOTES)
    saved = t("session.notes_saved", context.lang)
    text = render.card_text(
        view, coach_side=True, timezone=viewer.timezone, lang=context.lang, note=saved
    )
    keyboard = render.card_markup(view, coach_side=True, now=now(), lang=context.lang)
    await update.effective_message.reply_text(text, reply_markup=keyboard)
    return await _stop_writing(context)


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


async def _awaited(
    update: Update, context: BotContext, *, needs: str
) -> tuple[Viewer, dict[str, Any]]:
    """The typist and what `_remember` kept; NotAllowed if the text is not awaited any more."""
    writing = context.user_data.get(WRITING) or {}
    viewer = viewer_of(update, context)
    if viewer is None or needs not in writing:
        raise NotAllowed(f"no {needs} awaited")
    return viewer, writing


async def _refused(update: Update, context: BotContext, err: DomainError, *, retry: int) -> int:
    await update.effective_message.reply_text(refusal_text(err, context))
    if isinstance(err, InvalidInput):  # e.g. too long: they may shorten it and send it again
        return retry
    return await _stop_writing(context)


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

"""A coach's reply to a video they were shown: their feedback, for the athlete's side.

Registered before `handlers.videos` (modules register in name order), so that a coach's video
sent as a reply to a review is feedback, not an upload. A reply to anything else is handled as
the same message would be without the reply.
"""

from __future__ import annotations

import logging
import warnings
from datetime import UTC, datetime, timedelta

from telegram import Message, Update
from telegram.ext import MessageHandler
from telegram.ext import filters as f
from telegram.warnings import PTBDeprecationWarning

from bot.app import BotApplication, BotContext
from bot.i18n import t
from domain.errors import NotAllowed
from domain.videos import feedback as coach_feedback
from handlers.shared.common import unexpected_message
from handlers.videos.intake import on_video

log = logging.getLogger(__name__)
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
_FEEDBACK = f.REPLY & ((f.TEXT & ~f.COMMAND) | f.VOICE | f.VIDEO | f.VIDEO_NOTE)


def register(application: BotApplication) -> None:
    """Add the handler of replies that may be feedback on a video."""
    application.add_handler(MessageHandler(_PRIVATE & _FEEDBACK, on_reply))


async def on_reply(update: Update, context: BotContext) -> None:
    """A reply: a coach's feedback on a video shown to them, else what it would be otherwise."""
    message = update.effective_message
    replied = message.reply_to_message
    if (
        replied is None
        or await coach_feedback.review_for(
            context.uow, chat_id=message.chat_id, message_id=replied.message_id
        )
        is None
    ):
        await _not_feedback(update, context)
        return
    actor = context.actor
    try:
        if actor is None:
            raise NotAllowed("not signed up", action="give_feedback")
        given = await coach_feedback.give_feedback(
            context.uow,
            actor=actor,
            chat_id=message.chat_id,
            reply_to_message_id=replied.message_id,
            feedback=_feedback_of(message),
            now=datetime.now(UTC),
        )
    except NotAllowed:
        log.warning("feedback refused on message %s", replied.message_id)
        await message.reply_text(t("video.feedback.not_allowed", context.lang))
        return
    if given is None:
        await _not_feedback(update, context)
        return
    key = "video.feedback.saved" if given.recipients else "video.feedback.saved_only"
    await message.reply_text(t(key, context.lang, name=given.athlete_name))


def _feedback_of(message: Message) -> coach_feedback.Feedback:
    if message.voice is not None:
        return coach_feedback.Feedback(
            coach_feedback.VOICE,
            text=message.caption,
            file_id=message.voice.file_id,
            duration=_seconds(message.voice),
        )
    if message.video_note is not None:
        note = message.video_note
        return coach_feedback.Feedback(
            coach_feedback.VIDEO_NOTE, file_id=note.file_id, duration=_seconds(note)
        )
    if message.video is not None:
        return coach_feedback.Feedback(
            coach_feedback.VIDEO,
            text=message.caption,
            file_id=message.video.file_id,
            duration=_seconds(message.video),
        )
    return coach_feedback.Feedback(coach_feedback.TEXT, text=message.text)


def _seconds(media: object) -> int | None:
    """A voice's or video's duration in seconds, whichever type this PTB version gives it."""
    with warnings.catch_warnings():
        # An int until PTB_TIMEDELTA becomes PTB's default; either is fine here.
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        duration = getattr(media, "duration", None)
    if isinstance(duration, timedelta):
        return round(duration.total_seconds())
    return duration if isinstance(duration, int) else None


async def _not_feedback(update: Update, context: BotContext) -> None:
    """A reply to anything but a video review: treated as the message it would otherwise be."""
    message = update.effective_message
    if message.video is not None or message.video_note is not None:
        await on_video(update, context)
        return
    await unexpected_message(update, context)

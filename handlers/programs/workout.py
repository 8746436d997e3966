"""Answering a program day from its message: ✅ Done, 🌓 Partly, ⏭ Skip, one tap per exercise
that logs what it prescribed (a performance metric naming the day; bests follow), 💬 a note
to the program's coach, and 🎥 a training video for them (the video flow, the program's coach
as its reviewer: `domain.programs.following.day_videos`)."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from bot.local_time import coded
from bot.telegram_files import telegram_file_chunks
from domain.adapters.storage import StorageError
from domain.errors import DomainError, NotAllowed, NotFound
from domain.metrics.units import display
from domain.models import WorkoutStatus
from domain.programs.following import day_videos, days
from domain.programs.following.enrolments import local_today
from handlers.programs.following_callbacks import (
    DayAction,
    DayPress,
    ExercisePress,
    NotePress,
    VideoPress,
)
from handlers.programs.following_render import workout_markup, workout_text
from handlers.shared.acting import refusal_text
from handlers.shared.common import cancel_fallback
from handlers.shared.edit_in_place import edit_pressed
from handlers.shared.video_messages import VIDEO_LIKE, fetch_failure_key, incoming_video

log = logging.getLogger(__name__)
_STATUS = {
    DayAction.DONE: WorkoutStatus.DONE,
    DayAction.PARTLY: WorkoutStatus.PARTLY,
    DayAction.SKIP: WorkoutStatus.SKIPPED,
}


# Persisted conversation state: keep its value, or saved conversations resume wrongly.
NOTE, VIDEO = 0, 1
WRITING = "program_note"  # user_data while the note is awaited: which program day
SENDING = "program_video"  # user_data while the video is awaited: which day, whose coach
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
_TEXT = _PRIVATE & f.TEXT & ~f.COMMAND


def register(application: BotApplication) -> None:
    """Add the answer buttons of a program day, the note and the video to the coach."""
    application.add_handler(CallbackQueryHandler(answer_day, pattern=DayPress.pattern()))
    application.add_handler(CallbackQueryHandler(log_exercise, pattern=ExercisePress.pattern()))
    application.add_handler(
        ConversationHandler(
            entry_points=[
                CallbackQueryHandler(note_pressed, pattern=NotePress.pattern()),
                CallbackQueryHandler(video_pressed, pattern=VideoPress.pattern()),
            ],
            states={
                NOTE: [MessageHandler(_TEXT, note_typed)],
                # Before the video flow's own intake (handlers are added by package name).
                VIDEO: [
                    MessageHandler(_PRIVATE & VIDEO_LIKE, video_sent),
                    MessageHandler(_TEXT, video_expected),
                ],
            },
            fallbacks=[cancel_fallback()],
            # The persisted states are saved under this name; renaming it strands them.
            name="program_note",
            persistent=True,
            allow_reentry=True,
        )
    )


async def note_pressed(update: Update, context: BotContext) -> int:
    """💬 Note: the next text goes to the program's coach."""
    query = update.callback_query
    press = NotePress.parse(query.data)
    if press is None or context.actor is None:
        await refuse(update, context, reason="program note: malformed")
        return ConversationHandler.END
    context.user_data[WRITING] = [str(press.enrolment_id), press.week, press.day]
    await query.answer()
    await context.bot.send_message(update.effective_chat.id, t("training.note.ask", context.lang))
    return NOTE


async def note_typed(update: Update, context: BotContext) -> int:
    """The note: kept with the day and sent to the coach."""
    writing = context.user_data.pop(WRITING, None)
    if not writing or context.actor is None:
        return ConversationHandler.END
    enrolment, week, day = writing
    now = datetime.now(UTC)
    try:
        coach = await days.send_note(
            context.uow,
            actor=context.actor,
            enrolment_id=uuid.UUID(enrolment),
            week=int(week),
            day=int(day),
            note=update.effective_message.text,
            today=local_today(now, context.timezone),
            now=now,
        )
    except DomainError as err:
        log.info("program note refused: %s", err.message_key)
        await update.effective_message.reply_text(refusal_text(err, context))
        return ConversationHandler.END
    await update.effective_message.reply_text(t("training.note.sent", context.lang, coach=coach))
    return ConversationHandler.END


async def video_pressed(update: Update, context: BotContext) -> int:
    """🎥 Video to the coach: checked now (a forged press is refused), then the next video."""
    query = update.callback_query
    press = VideoPress.parse(query.data)
    if press is None or context.actor is None:
        await refuse(update, context, reason="program video: malformed")
        return ConversationHandler.END
    try:
        to = await day_videos.video_recipient(
            context.uow,
            actor=context.actor,
            enrolment_id=press.enrolment_id,
            week=press.week,
            day=press.day,
            today=local_today(datetime.now(UTC), context.timezone),
        )
    except (NotAllowed, NotFound) as err:
        await refuse(update, context, reason=f"program video: {type(err).__name__}")
        return ConversationHandler.END
    except DomainError as err:
        await query.answer(refusal_text(err, context), show_alert=True)
        return ConversationHandler.END
    context.user_data[SENDING] = [str(press.enrolment_id), press.week, press.day, to.coach_name]
    await query.answer()
    text = t("training.video.ask", context.lang, coach=to.coach_name)
    await context.bot.send_message(update.effective_chat.id, text)
    return VIDEO


async def video_expected(update: Update, context: BotContext) -> int:
    """Words while a video is awaited: ask for the video again."""
    coach = (context.user_data.get(SENDING) or ["", 0, 0, ""])[-1]
    await update.effective_message.reply_text(
        t("training.video.expected", context.lang, coach=coach)
    )
    return VIDEO


async def video_sent(update: Update, context: BotContext) -> int:
    """The video: received by the video flow, naming the day, for the program's coach."""
    sending = context.user_data.pop(SENDING, None)
    if not sending or context.actor is None:
        return ConversationHandler.END
    enrolment, week, day, _coach = sending
    message, now = update.effective_message, datetime.now(UTC)
    incoming = incoming_video(message)
    try:
        sent = await day_videos.send_video(
            context.uow,
            context.services.videos,
            actor=context.actor,
            enrolment_id=uuid.UUID(enrolment),
            week=int(week),
            day=int(day),
            incoming=incoming,
            chunks=telegram_file_chunks(context.bot, incoming.telegram_file_id),
            today=local_today(now, context.timezone),
            now=now,
        )
    except DomainError as err:
        log.info("program video refused: %s", err.message_key)
        await message.reply_text(refusal_text(err, context))
        return ConversationHandler.END
    except TelegramError as err:
        log.warning("program video could not be fetched from Telegram: %r", err)
        await message.reply_text(t(fetch_failure_key(err), context.lang))
        return ConversationHandler.END
    except StorageError:
        log.exception("program video could not be stored")
        await message.reply_text(t("video.storage_failed", context.lang))
        return ConversationHandler.END
    words = {"coach": sent.coach_name, "program": sent.program_title, "week": week, "day": day}
    await message.reply_text(t("training.video.sent", context.lang, **words))
    return ConversationHandler.END


async def answer_day(update: Update, context: BotContext) -> None:
    """Done / Partly / Skip: recorded, and the message shows the answer (buttons stay)."""
    query = update.callback_query
    press = DayPress.parse(query.data)
    if press is None or context.actor is None:
        await refuse(update, context, reason="program day: malformed")
        return
    now = datetime.now(UTC)
    try:
        await days.answer(
            context.uow,
            actor=context.actor,
            enrolment_id=press.enrolment_id,
            week=press.week,
            day=press.day,
            status=_STATUS[press.action],
            today=local_today(now, context.timezone),
            now=now,
        )
    except DomainError as err:
        log.info("program day answer refused: %s", err.message_key)
        await query.answer(refusal_text(err, context), show_alert=True)
        return
    await query.answer(t(f"training.day.answered.{_STATUS[press.action]}", context.lang))
    await _refresh(update, context, press.enrolment_id, press.week, press.day)


async def _refresh(
    update: Update, context: BotContext, enrolment_id: uuid.UUID, week: int, day: int
) -> None:
    found = await days.workout(context.uow, enrolment_id=enrolment_id, week=week, day=day)
    if found is None:
        return
    guardian = context.actor is not None and context.actor.user_id != found.athlete_user_id
    text = workout_text(found, context.lang, for_guardian=guardian)
    await edit_pressed(update.callback_query, text, workout_markup(found, context.lang))


async def log_exercise(update: Update, context: BotContext) -> None:
    """One tap: the exercise's prescribed result logged; a personal best is said so."""
    query = update.callback_query
    press = ExercisePress.parse(query.data)
    if press is None or context.actor is None:
        await refuse(update, context, reason="program exercise: malformed")
        return
    now = datetime.now(UTC)
    try:
        logged = await days.log_exercise(
            context.uow,
            actor=context.actor,
            enrolment_id=press.enrolment_id,
            week=press.week,
            day=press.day,
            number=press.exercise,
            today=local_today(now, context.timezone),
            now=now,
            latest=context.services.latest_metrics,
        )
    except DomainError as err:
        log.info("program exercise log refused: %s", err.message_key)
        await query.answer(refusal_text(err, context), show_alert=True)
        return
    metric = coded("metric", logged.kind.reference(), context.lang)
    value = display(logged.value, logged.unit)
    key = "training.logged.best" if logged.is_pb else "training.logged"
    text = t(key, context.lang, metric=metric, value=value, name=logged.athlete_name)
    await query.answer(text, show_alert=logged.is_pb)
    await context.bot.send_message(update.effective_chat.id, text)

"""Training videos in chat: send one, link it to a session, and /videos.

An athlete or parent sends a video (or a video note, a GIF-like animation, or a video file as
a document). A parent with several children is asked whose it is. The video is streamed into
storage and queued (`domain.videos.uploads`); the analysis arrives later through the outbox
(`handlers.videos.delivery`). Coaches' replies to videos are `handlers.videos.feedback`.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

from telegram import Message, Update
from telegram.constants import ChatAction
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, MessageHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from bot.sending import send_text
from bot.telegram_files import telegram_file_chunks
from domain.adapters.storage import StorageError
from domain.errors import DomainError, NotAllowed, NotFound
from domain.metrics.viewers import AthleteName
from domain.policy import Actor
from domain.videos.consent import ConsentNeeded
from domain.videos.library import download_link, link_session, video_to_show, videos_in_view
from domain.videos.uploads import (
    IncomingVideo,
    NotAVideo,
    TooManyVideos,
    VideoTooLarge,
    check_size,
    receive_video,
    uploadable_athletes,
)
from handlers.shared.acting import child_acted_for, refusal_text
from handlers.shared.callback_data import CallbackData, flow_pattern, parse_any
from handlers.shared.common import unexpected_message
from handlers.shared.edit_in_place import edit_pressed
from handlers.shared.video_messages import VIDEO_LIKE, fetch_failure_key, incoming_video
from handlers.videos import render
from handlers.videos.callbacks import FLOW, VideoFor, VideoLink, VideoShow, VideoUnlinked

log = logging.getLogger(__name__)
_VIEWERS = [("videos", "video.command.videos")]
ROLE_COMMANDS = {role: _VIEWERS for role in ("athlete", "parent", "coach", "mentor")}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
# Videos waiting for "whose is it?", by token; a few, so an old picker still works.
WAITING = "video_waiting"
MAX_WAITING = 5


def register(application: BotApplication) -> None:
    """Add video uploads, /videos and the video buttons."""
    application.add_handler(MessageHandler(_PRIVATE & VIDEO_LIKE, on_video))
    application.add_handler(CommandHandler("videos", list_videos, filters=_PRIVATE))
    application.add_handler(CallbackQueryHandler(on_button, pattern=flow_pattern(FLOW)))


async def on_video(update: Update, context: BotContext) -> None:
    """A video someone sent: whose (if several), then stored and queued."""
    message = update.effective_message
    incoming = incoming_video(message)
    actor = context.actor
    if actor is None:
        await message.reply_text(t("video.not_signed_up", context.lang))
        return
    athletes = await uploadable_athletes(context.uow, actor=actor)
    if not athletes:
        if message.document is not None and not _declared_video(message):
            # A PDF or a photo as a file, from someone who sends no videos: not about videos.
            await unexpected_message(update, context)
            return
        await message.reply_text(t("video.upload_not_allowed", context.lang))
        return
    try:
        check_size(incoming.size, local_mode=context.services.telegram_local_mode)
    except VideoTooLarge as err:
        log.info("video from %s refused before download: %s bytes", actor.user_id, incoming.size)
        await message.reply_text(refusal_text(err, context))
        return
    acting = child_acted_for(context)
    chosen = [athlete for athlete in athletes if athlete.athlete_id == acting] or athletes
    if len(chosen) == 1:  # the only one, or the child chosen in /children (named in the reply)
        await _receive(update, context, actor, chosen[0], incoming)
        return
    token = render.token_for(message.effective_attachment.file_unique_id)
    _remember(context, token, incoming)
    markup = render.athletes_markup(token, athletes, actor, context.lang)
    await message.reply_text(t("video.pick_athlete", context.lang), reply_markup=markup)


async def list_videos(update: Update, context: BotContext) -> None:
    """/videos: the newest videos the person may see, a button each to see one again."""
    actor = context.actor
    if actor is None:
        await update.effective_message.reply_text(t("video.not_signed_up", context.lang))
        return
    videos = await videos_in_view(context.uow, actor=actor, mirror=context.services.video_status)
    if not videos:
        await update.effective_message.reply_text(t("video.list.empty", context.lang))
        return
    timezone = context.timezone
    await send_text(
        context.bot,
        update.effective_chat.id,
        render.list_text(videos, timezone, context.lang),
        reply_markup=render.list_markup(videos, timezone, context.lang),
    )


async def on_button(update: Update, context: BotContext) -> None:
    """Any video button: re-check the presser, then do what it names."""
    press = parse_any(update.callback_query.data, _BUTTONS)
    step = _BUTTONS[type(press)] if press is not None else None
    actor = context.actor if step is not None else None
    if press is None or step is None or actor is None:
        await refuse(update, context, reason="video button: malformed or not signed up")
        return
    try:
        await step(update, context, actor, press)
    except (NotAllowed, NotFound) as err:
        await refuse(update, context, reason=f"video {press.prefix}: {type(err).__name__}")
    except DomainError as err:
        await update.callback_query.answer(refusal_text(err, context), show_alert=True)


async def pick_athlete(update: Update, context: BotContext, actor: Actor, press: VideoFor) -> None:
    """Whose video: the waiting video is received for that athlete."""
    token, athlete_id = press.token, press.athlete_id
    athletes = {
        athlete.athlete_id: athlete
        for athlete in await uploadable_athletes(context.uow, actor=actor)
    }
    if athlete_id not in athletes:
        raise NotAllowed("upload for an athlete the presser may not act for", action="upload_video")
    incoming = _waiting_video(context, token)
    if incoming is None:
        await update.callback_query.answer(t("video.waiting_gone", context.lang), show_alert=True)
        return
    await update.callback_query.answer()
    await edit_pressed(update.callback_query, t("video.receiving", context.lang), None)
    await _receive(update, context, actor, athletes[athlete_id], incoming)


async def pick_session(
    update: Update, context: BotContext, actor: Actor, press: VideoLink | VideoUnlinked
) -> None:
    """Link the video to the pressed session, or to none."""
    session_id = press.session_id if isinstance(press, VideoLink) else None
    await link_session(
        context.uow,
        actor=actor,
        video_id=press.video_id,
        session_id=session_id,
        now=datetime.now(UTC),
    )
    query = update.callback_query
    await query.answer()
    key = "video.not_linked" if session_id is None else "video.linked"
    await edit_pressed(query, render.linked_text(query.message, t(key, context.lang)), None)


async def show_video(update: Update, context: BotContext, actor: Actor, press: VideoShow) -> None:
    """One video again: the video itself, its analysis, and a download link where there is one."""
    video = await video_to_show(context.uow, actor=actor, video_id=press.video_id)
    await update.callback_query.answer()
    url = await download_link(context.services.storage, video)
    text = render.detail_text(video, context.lang)
    chat_id = update.effective_chat.id
    markup = render.download_markup(url, context.lang)
    if video.telegram_file_id and video.media_kind in ("video", "animation", "document"):
        try:
            send = {"animation": context.bot.send_animation, "document": context.bot.send_document}
            await send.get(video.media_kind, context.bot.send_video)(
                chat_id, video.telegram_file_id, caption=text[:1000], reply_markup=markup
            )
            return
        except TelegramError as err:
            log.info("video %s: could not re-send by file id: %r", video.video_id, err)
    await send_text(context.bot, chat_id, text, reply_markup=markup)


_BUTTONS: dict[type[CallbackData], Callable[..., Awaitable[None]]] = {
    VideoFor: pick_athlete,
    VideoLink: pick_session,
    VideoUnlinked: pick_session,
    VideoShow: show_video,
}


async def _receive(
    update: Update, context: BotContext, actor: Actor, athlete: AthleteName, incoming: IncomingVideo
) -> None:
    chat_id = update.effective_chat.id
    # A 20 MB download takes a while: show that the bot is on it.
    with contextlib.suppress(TelegramError):
        await context.bot.send_chat_action(chat_id, ChatAction.TYPING)
    try:
        received = await receive_video(
            context.uow,
            context.services.videos,
            actor=actor,
            athlete_id=athlete.athlete_id,
            incoming=incoming,
            chunks=telegram_file_chunks(context.bot, incoming.telegram_file_id),
            now=datetime.now(UTC),
        )
    except (NotAVideo, VideoTooLarge, TooManyVideos, ConsentNeeded) as err:
        log.info("video from %s refused: %s", actor.user_id, err.message_key)
        await send_text(context.bot, chat_id, refusal_text(err, context))
        return
    except TelegramError as err:
        log.warning("video from %s could not be fetched from Telegram: %r", actor.user_id, err)
        await send_text(context.bot, chat_id, t(fetch_failure_key(err), context.lang))
        return
    except StorageError:
        log.exception("video from %s could not be stored", actor.user_id)
        await send_text(context.bot, chat_id, t("video.storage_failed", context.lang))
        return
    timezone = context.timezone
    await send_text(
        context.bot,
        chat_id,
        render.received_text(received, incoming.caption, context.lang),
        reply_markup=render.sessions_markup(received, timezone, context.lang),
    )


def _declared_video(message: Message) -> bool:
    mime = message.document.mime_type if message.document is not None else None
    return (mime or "").startswith("video/")


def _waiting(context: BotContext) -> dict[str, Any]:
    waiting = context.user_data.setdefault(WAITING, {})
    return waiting if isinstance(waiting, dict) else {}


def _waiting_video(context: BotContext, token: str) -> IncomingVideo | None:
    saved = _waiting(context).pop(token, None)
    try:
        return IncomingVideo(**saved) if isinstance(saved, dict) else None
    except TypeError:  # saved by an older version of this flow: ask for the video again
        return None


def _remember(context: BotContext, token: str, incoming: IncomingVideo) -> None:
    waiting = _waiting(context)
    waiting[token] = asdict(incoming)
    for old in list(waiting)[:-MAX_WAITING]:
        del waiting[old]
    context.user_data[WAITING] = waiting

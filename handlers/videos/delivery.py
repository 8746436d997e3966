"""Outbox kinds about videos: sent with media, built from the video as it is when sent.

- `video_analyzed` (athlete's side): the thumbnail and the motion chart as one album, the
  analysis in its caption.
- `video_failed` (athlete's side): why there is no analysis; the video itself is kept.
- `video_review` (a coach): the video itself (by Telegram file id, else the stored file), the
  analysis, and "reply with your feedback"; the sent message is remembered, so a reply to it is
  feedback on this video (`domain.videos.feedback`).
- `video_feedback` (athlete's side): the coach's words, or their voice or video message.
Each returns how the delivery went or raises the TelegramError of its call (see bot.outbox).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Bot, InputFile, InputMediaPhoto, Message
from telegram.constants import MessageLimit
from telegram.error import BadRequest

from bot.i18n import DEFAULT_LANGUAGE, resolve, t
from bot.local_time import local_moment
from bot.sending import send_text, utf16_len
from bot.wiring import Services
from domain.adapters.storage import StorageError
from domain.models import VideoStatus
from domain.notifications.outbox import Claimed, DeliveryResult
from domain.videos import consent, notices
from domain.videos.feedback import remember_review
from domain.videos.library import NoticeView, notice_view
from handlers.videos.callbacks import ConsentGive
from handlers.videos.words import analysis_lines, caption_part, failure_reason

log = logging.getLogger(__name__)
CAPTION_LIMIT: int = MessageLimit.CAPTION_LENGTH

SideEffect = Callable[[Bot, Services, Claimed], Awaitable[DeliveryResult]]


async def send_analysis(bot: Bot, services: Services, notification: Claimed) -> DeliveryResult:
    """The thumbnail and the motion chart, with the analysis, to the athlete's side."""
    view, gone = await _view(services, notification)
    if view is None or notification.chat_id is None:
        return gone
    lang, video = notification.language, view.detail
    caption = _fit(
        t(
            "video.analysis.caption",
            lang,
            name=video.athlete_name,
            caption=caption_part(video.caption, lang),
        )
        + "\n"
        + analysis_lines(video.analysis, lang)
    )
    photos = []
    for key in (video.thumbnail_key, chart_for(video.analysis, lang)):
        if key:
            photos.append(await services.storage.read_bytes(key))
    if len(photos) == 2:
        media = [
            # Bytes, not InputFile: PTB then attaches each file to the album by name.
            InputMediaPhoto(photos[0], filename="thumbnail.jpg", caption=caption),
            InputMediaPhoto(photos[1], filename="motion.png"),
        ]
        await bot.send_media_group(notification.chat_id, media)
    elif photos:
        await bot.send_photo(notification.chat_id, InputFile(photos[0]), caption=caption)
    else:
        await send_text(bot, notification.chat_id, caption)
    return DeliveryResult.SENT


async def send_failure(bot: Bot, services: Services, notification: Claimed) -> DeliveryResult:
    """Why the athlete's video has no analysis."""
    view, gone = await _view(services, notification)
    if view is None or notification.chat_id is None:
        return gone
    lang, video = notification.language, view.detail
    text = t(
        "video.failed",
        lang,
        name=video.athlete_name,
        caption=caption_part(video.caption, lang),
        reason=failure_reason(video.failure_reason, lang),
    )
    await send_text(bot, notification.chat_id, text)
    return DeliveryResult.SENT


async def send_for_review(bot: Bot, services: Services, notification: Claimed) -> DeliveryResult:
    """The video to a coach, asking for feedback by reply; the message is remembered."""
    view, gone = await _view(services, notification)
    if view is None or notification.chat_id is None:
        return gone
    text = _fit(_review_text(view, notification))
    messages = await _send_video(bot, services, notification.chat_id, view, text)
    for message in messages:
        await remember_review(
            services.uow,
            chat_id=notification.chat_id,
            message_id=message.message_id,
            video_id=view.detail.video_id,
            coach_user_id=notification.recipient_id,
        )
    return DeliveryResult.SENT


async def send_feedback(bot: Bot, services: Services, notification: Claimed) -> DeliveryResult:
    """A coach's feedback to the athlete's side: their words, or their voice or video."""
    index = notification.payload.get("feedback_index")
    view, gone = await _view(services, notification, feedback_index=int(index))
    if view is None or notification.chat_id is None:
        return gone
    if view.feedback is None:
        return DeliveryResult.final("no such feedback")
    lang, video, feedback = notification.language, view.detail, view.feedback
    heading = t(
        "video.feedback.heading",
        lang,
        coach=view.feedback_coach or t("video.feedback.your_coach", lang),
        name=video.athlete_name,
        caption=caption_part(video.caption, lang),
    )
    kind, file_id = feedback.get("kind"), feedback.get("file_id")
    chat_id = notification.chat_id
    # The coach's own words (a text, or a voice's or video's caption) follow the heading.
    text = f"{heading}\n\n{feedback.get('text') or ''}".strip()
    if kind == "voice" and file_id:
        await bot.send_voice(chat_id, file_id, caption=_fit(text))
    elif kind == "video" and file_id:
        await bot.send_video(chat_id, file_id, caption=_fit(text))
    elif kind == "video_note" and file_id:
        await send_text(bot, chat_id, text)
        await bot.send_video_note(chat_id, file_id)
    else:
        await send_text(bot, chat_id, text)
    return DeliveryResult.SENT


def _review_text(view: NoticeView, notification: Claimed) -> str:
    lang, video, day = notification.language, view.detail, view.program_day
    if day is not None:  # sent from a program day, to the program's author
        session = t("video.review.program_day", lang, program=day.title, week=day.week, day=day.day)
    elif view.session_start is not None:
        starts_at = local_moment(view.session_start, notification.timezone, lang)
        session = t("video.review.session", lang, starts_at=starts_at)
    else:
        session = ""
    if video.status == VideoStatus.ANALYZED:
        summary = analysis_lines(video.analysis, lang)
    else:
        summary = t(
            "video.review.no_analysis", lang, reason=failure_reason(video.failure_reason, lang)
        )
    return t(
        "video.review.caption",
        lang,
        name=video.athlete_name,
        caption=caption_part(video.caption, lang),
        session=session,
        summary=summary,
    )


async def _send_video(
    bot: Bot, services: Services, chat_id: int, view: NoticeView, text: str
) -> list[Message]:
    """The video by its Telegram file id, else (an id this bot cannot use) the stored file."""
    video = view.detail
    if video.telegram_file_id:
        try:
            return await _send_by_file_id(
                bot, chat_id, video.media_kind, video.telegram_file_id, text
            )
        except BadRequest as err:
            log.warning("video %s: file id not usable (%s), sending the file", video.video_id, err)
    key = video.processed_key or video.raw_key
    try:
        data = await services.storage.read_bytes(key)
    except StorageError:
        log.exception("video %s: stored file unreadable", video.video_id)
        return await send_text(bot, chat_id, text)
    sent = await bot.send_video(
        chat_id, InputFile(data, filename="video.mp4"), caption=text, supports_streaming=True
    )
    return [sent]


async def _send_by_file_id(
    bot: Bot, chat_id: int, kind: str | None, file_id: str, text: str
) -> list[Message]:
    if kind == "video_note":
        # A video note takes no caption: the words follow, and a reply to either is feedback.
        note = await bot.send_video_note(chat_id, file_id)
        return [note, *await send_text(bot, chat_id, text)]
    if kind == "animation":
        return [await bot.send_animation(chat_id, file_id, caption=text)]
    if kind == "document":
        return [await bot.send_document(chat_id, file_id, caption=text)]
    return [await bot.send_video(chat_id, file_id, caption=text)]


async def _view(
    services: Services, notification: Claimed, *, feedback_index: int | None = None
) -> tuple[NoticeView | None, DeliveryResult]:
    if notification.chat_id is None:
        return None, DeliveryResult.final("recipient has no Telegram chat")
    video_id = uuid.UUID(str(notification.payload["video_id"]))
    view = await notice_view(services.uow, video_id, feedback_index=feedback_index)
    if view is None:
        log.info("notice %s about video %s: the video is gone", notification.kind, video_id)
        return None, DeliveryResult.final("video is gone")
    return view, DeliveryResult.SENT


def chart_for(analysis: dict[str, Any] | None, lang: str | None) -> str | None:
    """The motion chart in the reader's language, else English, else the one there is.

    Charts are drawn in the languages of those told when the video was analysed (a reader may
    have changed language since); a video analysed before that has one per catalogue language,
    and one from before charts had words per language has a single `chart_key`."""
    analysis = analysis or {}
    charts = analysis.get("chart_keys") or {}
    return (
        charts.get(resolve(lang))
        or charts.get(DEFAULT_LANGUAGE)
        or next(iter(charts.values()), None)
        or analysis.get("chart_key")
    )


def _fit(text: str) -> str:
    # Telegram counts a caption's length in UTF-16 code units and refuses one over its limit.
    if utf16_len(text) <= CAPTION_LIMIT:
        return text
    while utf16_len(text) > CAPTION_LIMIT - 1:
        text = text[:-1]
    return text + "…"


# A guardian's Consent button on a minor's refused video (`domain.videos.consent`).
BUTTONS: dict[str, Callable[[Any], str]] = {
    consent.GIVE: lambda spec: ConsentGive(uuid.UUID(spec["athlete_id"])).pack(),
}

SIDE_EFFECTS: dict[str, SideEffect] = {
    notices.ANALYZED: send_analysis,
    notices.FAILED: send_failure,
    notices.REVIEW: send_for_review,
    notices.FEEDBACK: send_feedback,
}

"""Videos in words and buttons: the whose-video picker, session links, /videos.

Buttons carry `vid:<action>:<args>`: `for:<token>:<athlete>` says whose a waiting video is,
`ln:<video>:<session>` (or `ln:<video>:-`) links a video to a session or to none, `sh:<video>`
shows a video again. Each press is checked again by the domain.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t
from bot.local_time import local_moment
from domain.metrics.viewers import AthleteName
from domain.models import VideoStatus
from domain.policy import Actor
from domain.timezones import zone_of
from domain.videos.library import VideoDetail, VideoSummary
from domain.videos.status import QUEUED, VideoProgress
from domain.videos.uploads import ReceivedVideo, RecentSession
from handlers.videos.callbacks import VideoFor, VideoLink, VideoShow, VideoUnlinked
from handlers.videos.words import analysis_lines, caption_part, clock, failure_reason


def athletes_markup(
    token: str, athletes: Sequence[AthleteName], actor: Actor, lang: str | None
) -> InlineKeyboardMarkup:
    """Whose video it is: one button per athlete the sender may upload for."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("video.me", lang)
                    if athlete.athlete_id == actor.own_athlete_id
                    else athlete.name,
                    callback_data=VideoFor(token, athlete.athlete_id).pack(),
                )
            ]
            for athlete in athletes
        ]
    )


def received_text(received: ReceivedVideo, caption: str | None, lang: str | None) -> str:
    """What the sender hears once the video is stored."""
    key = "video.received" if received.queued else "video.received_delayed"
    text = t(key, lang, name=received.athlete_name, caption=caption_part(caption, lang))
    if received.recent_sessions:
        text += "\n\n" + t("video.link_question", lang)
    return text


def sessions_markup(
    received: ReceivedVideo, timezone: str, lang: str | None
) -> InlineKeyboardMarkup | None:
    """A button per recent session, and "no session"; None when there are no sessions."""
    if not received.recent_sessions:
        return None
    rows = [
        [
            InlineKeyboardButton(
                session_label(session, timezone, lang),
                callback_data=VideoLink(received.video_id, session.session_id).pack(),
            )
        ]
        for session in received.recent_sessions
    ]
    rows.append(
        [
            InlineKeyboardButton(
                t("video.link_none", lang),
                callback_data=VideoUnlinked(received.video_id).pack(),
            )
        ]
    )
    return InlineKeyboardMarkup(rows)


def linked_text(received: object, outcome: str) -> str:
    """The "got your video" message with the question replaced by what was chosen."""
    text = getattr(received, "text", None) or ""
    # The question is the last paragraph (see received_text); what came before stays.
    kept = text.rsplit("\n\n", 1)[0] if "\n\n" in text else ""
    return f"{kept}\n\n{outcome}" if kept else outcome


def session_label(session: RecentSession, timezone: str, lang: str | None) -> str:
    """A session as a button names it: when and with whom."""
    return t(
        "video.link_button",
        lang,
        starts_at=local_moment(session.start, timezone, lang),
        coach=session.coach_name,
    )


def list_text(videos: Sequence[VideoSummary], timezone: str, lang: str | None) -> str:
    """/videos: a line per video, newest first."""
    lines = [t("video.list.header", lang)]
    lines += [_line(video, timezone, lang) for video in videos]
    return "\n".join(lines)


def list_markup(
    videos: Sequence[VideoSummary], timezone: str, lang: str | None
) -> InlineKeyboardMarkup:
    """A button per video, to see it again with its analysis."""
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t(
                        "video.list.button",
                        lang,
                        when=_day(video.created_at, timezone, lang),
                        name=video.athlete_name,
                    ),
                    callback_data=VideoShow(video.video_id).pack(),
                )
            ]
            for video in videos
        ]
    )


def detail_text(video: VideoDetail, lang: str | None) -> str:
    """One video shown again: its status and analysis, and any text feedback."""
    heading = t(
        "video.show.heading",
        lang,
        name=video.athlete_name,
        caption=caption_part(video.caption, lang),
    )
    if video.status == VideoStatus.ANALYZED:
        body = analysis_lines(video.analysis, lang)
    elif video.status == VideoStatus.FAILED:
        body = t("video.show.failed", lang, reason=failure_reason(video.failure_reason, lang))
    else:
        body = t(f"video.status.{video.status}", lang)
    text = f"{heading}\n{body}"
    if video.rendition_deleted_at is not None:
        text += "\n" + t("video.show.rendition_removed", lang)
    if video.coach_feedback:
        text += "\n\n" + t("video.show.feedback", lang, feedback=video.coach_feedback)
    return text


def download_markup(url: str | None, lang: str | None) -> InlineKeyboardMarkup | None:
    """A download button for a link that expires, when the storage makes such links."""
    if url is None:
        return None
    return InlineKeyboardMarkup([[InlineKeyboardButton(t("video.show.download", lang), url=url)]])


def _line(video: VideoSummary, timezone: str, lang: str | None) -> str:
    if video.progress is not None:
        status = _progress(video.progress, timezone, lang)
    else:
        status = t(f"video.status.{video.status}", lang, reps=video.reps or 0)
    feedback = t("video.list.has_feedback", lang) if video.has_feedback else ""
    return t(
        "video.list.line",
        lang,
        when=_day(video.created_at, timezone, lang),
        name=video.athlete_name,
        caption=caption_part(video.caption, lang),
        duration=clock(video.duration),
        status=status,
        feedback=feedback,
    )


def _progress(progress: VideoProgress, timezone: str, lang: str | None) -> str:
    """A video in flight as the status mirror has it: queued, or analysed since when."""
    if progress.stage == QUEUED:
        return t("video.progress.queued", lang)
    since = f"{progress.since.astimezone(zone_of(timezone)):%H:%M}"
    key = "video.progress.processing" if progress.attempt <= 1 else "video.progress.retrying"
    return t(key, lang, since=since, attempt=progress.attempt)


def _day(instant: datetime, timezone: str, lang: str | None) -> str:
    return local_moment(instant, timezone, lang)


def token_for(video_file_unique_id: str) -> str:
    """A short token naming a waiting video in a button (Telegram's unique id, trimmed)."""
    return video_file_unique_id.replace(":", "")[:20] or uuid.uuid4().hex[:12]

"""A video someone sent in chat, read off its message, and a failed fetch in words: shared by
the video flow (`handlers.videos.intake`) and a program day's video (`handlers.programs.workout`).
"""

from __future__ import annotations

from telegram import Message
from telegram.error import TelegramError
from telegram.ext import filters as f

from domain.videos.uploads import IncomingVideo

# A video, a video note, a GIF-like animation, or a video file sent as a document.
VIDEO_LIKE = f.VIDEO | f.VIDEO_NOTE | f.ANIMATION | f.Document.ALL
# Telegram's answer to getFile for a file over what bots may download.
TOO_BIG = "file is too big"


def incoming_video(message: Message) -> IncomingVideo:
    """What Telegram says about the video in this message."""
    attachment = message.effective_attachment
    kind = next(
        kind
        for kind in ("video_note", "animation", "video", "document")
        if getattr(message, kind, None) is not None
    )
    return IncomingVideo(
        telegram_file_id=attachment.file_id,
        media_kind=kind,
        size=attachment.file_size,
        caption=message.caption,
    )


def fetch_failure_key(err: TelegramError) -> str:
    """The message key for a video Telegram would not hand over."""
    # Telegram did not say the size up front, but refuses the download as too big.
    return "video.too_large_unsized" if TOO_BIG in err.message.lower() else "video.download_failed"

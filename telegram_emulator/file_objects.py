"""The Bot API objects that describe a stored file: PhotoSize, Video, Voice, Document and kin."""

from __future__ import annotations

import asyncio
import dataclasses

from telegram_emulator.errors import bad_request
from telegram_emulator.media_info import MediaFacts, image_size, looks_like_video, media_facts
from telegram_emulator.world import Json, StoredFile

# The Bot API clamps these rather than refusing them (telegram-bot-api's get_integer_arg).
MAX_DURATION = 24 * 60 * 60
MAX_LENGTH = 10000
KINDS = ("photo", "video", "document", "animation", "voice", "video_note")
# TDLib uploads any other voice as audio/ogg (VoiceNotesManager), so no other type comes back.
VOICE_TYPES = ("audio/ogg", "audio/mpeg", "audio/mp4")
# What each kind reports; the rest of MediaFacts does not matter for it.
FACTS_OF = {
    "video": ("duration", "width", "height"),
    "animation": ("duration", "width", "height"),
    "video_note": ("duration", "width"),
    "voice": ("duration",),
}


def declared(
    duration: int | None = None, width: int | None = None, height: int | None = None
) -> MediaFacts:
    """What a sender stated about a file, clamped to the Bot API's ranges."""
    return MediaFacts(
        min(max(duration or 0, 0), MAX_DURATION),
        min(max(width or 0, 0), MAX_LENGTH),
        min(max(height or 0, 0), MAX_LENGTH),
    )


async def measured(stored: StoredFile, given: MediaFacts, wanted: tuple[str, ...]) -> MediaFacts:
    """The sender's values, with the missing ones read from the file as Telegram fills them in."""
    if all(getattr(given, name) for name in wanted):
        return given
    if stored.facts is None:
        # ffmpeg runs in a thread so one upload does not stall every other chat.
        stored.facts = await asyncio.to_thread(media_facts, stored.path)
    filled = {
        field.name: getattr(given, field.name) or getattr(stored.facts, field.name)
        for field in dataclasses.fields(MediaFacts)
    }
    return MediaFacts(**filled)


async def describe(kind: str, stored: StoredFile, given: MediaFacts | None = None) -> Json:
    """A message's content for a file sent as `kind` (an animation also carries `document`)."""
    if kind == "photo":
        return {"photo": photo_sizes(stored)}
    if kind == "document":
        return {"document": document_info(stored)}
    facts = await measured(stored, given or MediaFacts(), FACTS_OF[kind])
    if kind == "animation":
        # An Animation has a Video's fields; TDLib sends a non-video one as an image.
        animation = {**video_info(stored, facts), "mime_type": _animation_type(stored)}
        return {"animation": animation, "document": animation_as_document(animation)}
    build = {"video": video_info, "voice": voice_info, "video_note": video_note_info}[kind]
    return {kind: build(stored, facts)}


def file_ref(stored: StoredFile) -> Json:
    """The fields every file object has."""
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "file_size": stored.size,
    }


def photo_sizes(stored: StoredFile) -> list[Json]:
    """A thumbnail and the full picture, as Telegram lists PhotoSize entries."""
    size = image_size(stored.path.read_bytes()[:65536])
    if size is None:
        raise bad_request("IMAGE_PROCESS_FAILED")
    width, height = size
    scale = min(1.0, 90 / max(width, height, 1))
    thumb = {
        **file_ref(stored),
        "width": max(1, int(width * scale)),
        "height": max(1, int(height * scale)),
    }
    full = {**file_ref(stored), "width": width, "height": height}
    return [thumb, full] if scale < 1 else [full]


def _named(stored: StoredFile, default_mime: str) -> Json:
    # Telegram leaves out a file name it does not know rather than sending null.
    named: Json = {"file_name": stored.file_name} if stored.file_name else {}
    return {**named, "mime_type": stored.mime_type or default_mime}


def video_info(stored: StoredFile, facts: MediaFacts) -> Json:
    """The Video object."""
    return {
        **file_ref(stored),
        "width": facts.width,
        "height": facts.height,
        "duration": facts.duration,
        **_named(stored, "video/mp4"),
    }


def _animation_type(stored: StoredFile) -> str:
    mime = stored.mime_type or ""
    if mime.startswith(("video/", "image/")):
        return mime
    with stored.path.open("rb") as file:
        return "video/mp4" if looks_like_video(file.read(16)) else "image/gif"


def animation_as_document(animation: Json) -> Json:
    """The `document` Telegram adds next to `animation`, for older clients."""
    keys = ("file_id", "file_unique_id", "file_size", "file_name", "mime_type")
    return {key: animation[key] for key in keys if key in animation}


def video_note_info(stored: StoredFile, facts: MediaFacts) -> Json:
    """The VideoNote object: a round video, `length` its diameter."""
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "length": min(facts.width, facts.height) if facts.height else facts.width,
        "duration": facts.duration,
        "file_size": stored.size,
    }


def voice_info(stored: StoredFile, facts: MediaFacts) -> Json:
    """The Voice object."""
    return {
        "file_id": stored.file_id,
        "file_unique_id": stored.file_unique_id,
        "duration": facts.duration,
        "mime_type": stored.mime_type if stored.mime_type in VOICE_TYPES else "audio/ogg",
        "file_size": stored.size,
    }


def document_info(stored: StoredFile) -> Json:
    """The Document object."""
    return {**file_ref(stored), **_named(stored, "application/octet-stream")}

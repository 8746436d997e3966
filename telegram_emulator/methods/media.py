"""Photos, videos, animations, voice and video notes, documents: upload, file_id, getFile."""

from __future__ import annotations

import mimetypes

from telegram_emulator import errors
from telegram_emulator.errors import ApiError, bad_request
from telegram_emulator.file_objects import declared, describe, file_ref, photo_sizes
from telegram_emulator.media_info import MediaFacts
from telegram_emulator.methods import api_method
from telegram_emulator.methods.common import SEND_OPTIONS, caption_content, send, target_chat
from telegram_emulator.methods.messages import flood_check
from telegram_emulator.params import Params, Upload
from telegram_emulator.world import BotState, Json, StoredFile, World

DOWNLOAD_LIMIT = 20 * 1024 * 1024
UPLOAD_LIMIT = 50 * 1024 * 1024
MAX_VIDEO_NOTE_LENGTH = 640  # TDLib refuses a longer diameter
MEDIA_OPTIONS = (
    "caption",
    "parse_mode",
    "caption_entities",
    "has_spoiler",
    "show_caption_above_media",
    "filename",
    "thumbnail",
    *SEND_OPTIONS,
)


def _upload(p: Params, name: str) -> Upload | str:
    """The file a parameter names: an upload (also via attach://) or a file_id / URL string."""
    if name in p.uploads:
        return p.uploads[name]
    value = p.str(name)
    if not value:
        raise bad_request(f"there is no {name.replace('_', ' ')} in the request")
    if value.startswith("attach://"):
        attached = p.uploads.get(value.removeprefix("attach://"))
        if attached is None:
            raise bad_request(f'can\'t find attached file "{value}"')
        return attached
    return value


def resolve_file(world: World, source: Upload | str, *, default_name: str) -> StoredFile:
    """Store an upload, or find a known file_id; URLs cannot be fetched offline."""
    if isinstance(source, Upload):
        if len(source.data) > UPLOAD_LIMIT:
            raise ApiError(413, "Request Entity Too Large")
        name = source.filename or default_name
        mime = source.content_type or mimetypes.guess_type(name)[0]
        return world.save_file(source.data, file_name=name, mime_type=mime)
    if source.startswith(("http://", "https://")):
        raise bad_request(
            "failed to get HTTP URL content: the emulator works offline and cannot download "
            "URLs; upload the file instead"
        )
    stored = world.files.get(source)
    if stored is None:
        raise bad_request(errors.WRONG_FILE_ID)
    return stored


async def _send_media(
    bot: BotState,
    p: Params,
    kind: str,
    given: MediaFacts | None = None,
    *,
    captioned: bool = True,
) -> Json:
    chat = target_chat(bot, p)
    stored = resolve_file(bot.world, _upload(p, kind), default_name=f"{kind}.bin")
    content = await describe(kind, stored, given)
    if captioned:
        content.update(caption_content(p))
    flood_check(bot, chat.id, chat.person is None)
    return await send(bot, chat, content, p)


def _declared(p: Params) -> MediaFacts:
    return declared(p.int("duration"), p.int("width"), p.int("height"))


@api_method("sendPhoto", "chat_id", "photo", *MEDIA_OPTIONS)
async def send_photo(bot: BotState, p: Params) -> Json:
    return await _send_media(bot, p, "photo")


@api_method("sendDocument", "chat_id", "document", "disable_content_type_detection", *MEDIA_OPTIONS)
async def send_document(bot: BotState, p: Params) -> Json:
    return await _send_media(bot, p, "document")


@api_method(
    "sendVideo",
    "chat_id",
    "video",
    "duration",
    "width",
    "height",
    "supports_streaming",
    "cover",
    "start_timestamp",
    *MEDIA_OPTIONS,
)
async def send_video(bot: BotState, p: Params) -> Json:
    return await _send_media(bot, p, "video", _declared(p))


@api_method("sendAnimation", "chat_id", "animation", "duration", "width", "height", *MEDIA_OPTIONS)
async def send_animation(bot: BotState, p: Params) -> Json:
    return await _send_media(bot, p, "animation", _declared(p))


@api_method(
    "sendVoice",
    "chat_id",
    "voice",
    "duration",
    "caption",
    "parse_mode",
    "caption_entities",
    "filename",
    *SEND_OPTIONS,
)
async def send_voice(bot: BotState, p: Params) -> Json:
    return await _send_media(bot, p, "voice", declared(p.int("duration")))


@api_method(
    "sendVideoNote",
    "chat_id",
    "video_note",
    "duration",
    "length",
    "thumbnail",
    "filename",
    *SEND_OPTIONS,
)
async def send_video_note(bot: BotState, p: Params) -> Json:
    # A round video has no caption: Telegram ignores one sent anyway, like any unknown parameter.
    given = declared(p.int("duration"), p.int("length"), p.int("length"))
    if given.width > MAX_VIDEO_NOTE_LENGTH:
        raise bad_request("wrong video note length")
    return await _send_media(bot, p, "video_note", given, captioned=False)


@api_method(
    "sendMediaGroup", "chat_id", "media", "caption", "parse_mode", "caption_entities", *SEND_OPTIONS
)
async def send_media_group(bot: BotState, p: Params) -> list[Json]:
    chat = target_chat(bot, p)
    media = p.json("media") or []
    if not 2 <= len(media) <= 10:
        raise bad_request("wrong number of messages in the album")
    prepared = []
    for item in media:
        kind = item.get("type")
        if kind not in ("photo", "video", "document"):
            raise bad_request("unsupported media type in the album")
        source = _upload(Params({kind: item.get("media")}, p.uploads), kind)
        stored = resolve_file(bot.world, source, default_name=f"{kind}.bin")
        given = declared(*(int(item.get(name) or 0) for name in ("duration", "width", "height")))
        content = await describe(kind, stored, given)
        caption = caption_content(
            Params({"caption": item.get("caption"), "parse_mode": item.get("parse_mode")})
        )
        prepared.append({**content, **caption})
    group_id = str(bot.world.now()) + str(len(bot.messages))
    # An album goes out whole or not at all, and a refused one uses up nothing.
    flood_check(bot, chat.id, chat.person is None, count=len(prepared))
    return [await send(bot, chat, {**content, "media_group_id": group_id}) for content in prepared]


@api_method("getFile", "file_id")
async def get_file(bot: BotState, p: Params) -> Json:
    stored = bot.world.files.get(p.str("file_id", required=True) or "")
    if stored is None:
        raise bad_request("invalid file_id")
    if stored.size > DOWNLOAD_LIMIT and not bot.world.local_mode:
        raise bad_request(errors.FILE_TOO_BIG)
    if stored.file_path is None:
        suffix = mimetypes.guess_extension(stored.mime_type or "") or ""
        stored.file_path = f"files/{stored.file_unique_id}{suffix}"
        bot.world.file_paths[stored.file_path] = stored
    return {**file_ref(stored), "file_path": stored.file_path}


@api_method("getUserProfilePhotos", "user_id", "offset", "limit")
async def get_user_profile_photos(bot: BotState, p: Params) -> Json:
    person = bot.world.people.get(p.int("user_id", required=True) or 0)
    if person is None:
        raise bad_request("user not found")
    # Out-of-range values are clamped, as Telegram does.
    offset, limit = max(0, p.int("offset") or 0), min(100, max(1, p.int("limit") or 100))
    # A photo file lost with the emulator's temporary files is no longer shown.
    photos = [bot.world.files[i] for i in person.profile_photos if i in bot.world.files]
    return {
        "total_count": len(photos),
        "photos": [photo_sizes(stored) for stored in photos[offset : offset + limit]],
    }

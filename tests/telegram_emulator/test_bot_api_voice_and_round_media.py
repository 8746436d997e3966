"""Voice messages, video notes, animations and copies of them, through PTB's own Bot."""

from __future__ import annotations

from datetime import timedelta

import aiohttp
import pytest
from telegram import Bot, InputFile, MessageId, MessageOriginUser
from telegram.constants import ParseMode
from telegram.error import BadRequest

from telegram_emulator import EmulatedUser, Emulator
from tests.telegram_emulator.media_files import MediaFiles


@pytest.fixture(autouse=True)
def durations_as_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB's future behaviour, without its warning


async def raw_call(emulator: Emulator, method: str, body: dict) -> tuple[int, dict]:
    """A Bot API call as plain JSON, for what PTB would not send."""
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{emulator.base_url}{emulator.token}/{method}", json=body) as response,
    ):
        return response.status, await response.json()


# --- voice ---------------------------------------------------------------------------------------


async def test_an_uploaded_voice_gets_its_duration_from_the_file(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    sent = await bot.send_voice(
        ana.id,
        InputFile(media.voice.read_bytes(), filename="note.ogg"),
        caption="Warm-up <b>done</b>",
        parse_mode=ParseMode.HTML,
    )

    assert sent.voice is not None
    assert sent.voice.duration == timedelta(seconds=4)
    assert sent.voice.mime_type == "audio/ogg"
    assert sent.voice.file_size == media.voice.stat().st_size
    assert sent.caption == "Warm-up done"
    seen = await ana.expect("message")
    assert set(seen["voice"]) == {"file_id", "file_unique_id", "duration", "mime_type", "file_size"}


async def test_a_declared_voice_duration_is_kept(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    sent = await bot.send_voice(ana.id, media.voice.read_bytes(), duration=9)

    assert sent.voice is not None
    assert sent.voice.duration == timedelta(seconds=9)


async def test_a_voice_sent_again_by_file_id_keeps_its_file_id(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    first = await bot.send_voice(ana.id, media.voice.read_bytes())
    assert first.voice is not None

    again = await bot.send_voice(ana.id, first.voice.file_id)

    assert again.voice is not None
    assert again.voice.file_id == first.voice.file_id
    assert again.voice.duration == first.voice.duration


@pytest.mark.parametrize(
    ("filename", "mime_type"),
    [
        ("note.mp3", "audio/mpeg"),
        ("note.m4a", "audio/mp4"),
        ("note.wav", "audio/ogg"),
        (None, "audio/ogg"),
    ],
)
async def test_a_voice_is_labelled_ogg_unless_it_is_mp3_or_m4a(
    bot: Bot, ana: EmulatedUser, media: MediaFiles, filename: str | None, mime_type: str
) -> None:
    sent = await bot.send_voice(ana.id, InputFile(media.voice.read_bytes(), filename=filename))

    assert sent.voice is not None
    assert sent.voice.mime_type == mime_type


async def test_a_voice_without_a_file_is_refused(emulator: Emulator, ana: EmulatedUser) -> None:
    status, body = await raw_call(emulator, "sendVoice", {"chat_id": ana.id})

    assert status == 400
    assert body["description"] == "Bad Request: there is no voice in the request"


# --- video notes ---------------------------------------------------------------------------------


async def test_an_uploaded_video_note_is_round_with_the_files_length_and_duration(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    sent = await bot.send_video_note(ana.id, media.round_clip.read_bytes())

    assert sent.video_note is not None
    assert sent.video_note.length == 240
    assert sent.video_note.duration == timedelta(seconds=3)
    assert sent.video_note.file_size == media.round_clip.stat().st_size
    seen = await ana.expect("message")
    assert set(seen["video_note"]) == {
        "file_id",
        "file_unique_id",
        "length",
        "duration",
        "file_size",
    }


async def test_a_video_note_keeps_the_declared_length_and_duration(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    sent = await bot.send_video_note(ana.id, media.round_clip.read_bytes(), length=360, duration=5)

    assert sent.video_note is not None
    assert (sent.video_note.length, sent.video_note.duration) == (360, timedelta(seconds=5))


async def test_a_video_note_wider_than_640_is_refused(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    with pytest.raises(BadRequest, match=r"^Wrong video note length$"):
        await bot.send_video_note(ana.id, media.round_clip.read_bytes(), length=641)

    sent = await bot.send_video_note(ana.id, media.round_clip.read_bytes(), length=640)
    assert sent.video_note is not None and sent.video_note.length == 640


async def test_a_video_note_sent_again_by_file_id_keeps_its_file_id(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    first = await bot.send_video_note(ana.id, media.round_clip.read_bytes())
    assert first.video_note is not None

    again = await bot.send_video_note(ana.id, first.video_note.file_id)

    assert again.video_note is not None
    assert again.video_note.file_unique_id == first.video_note.file_unique_id


async def test_a_caption_sent_with_a_video_note_is_ignored_like_any_unknown_parameter(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    sent = await bot.send_video_note(
        ana.id, media.round_clip.read_bytes(), api_kwargs={"caption": "Look at my form"}
    )

    assert sent.video_note is not None
    assert sent.caption is None
    assert "caption" not in await ana.expect("message")


async def test_a_video_note_without_a_file_is_refused(
    emulator: Emulator, ana: EmulatedUser
) -> None:
    status, body = await raw_call(emulator, "sendVideoNote", {"chat_id": ana.id})

    assert status == 400
    assert body["description"] == "Bad Request: there is no video note in the request"


async def test_a_video_note_url_is_refused_because_the_emulator_is_offline(
    bot: Bot, ana: EmulatedUser
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)offline"):
        await bot.send_video_note(ana.id, "https://example.org/round.mp4")


async def test_a_video_note_with_an_unknown_file_id_is_refused(bot: Bot, ana: EmulatedUser) -> None:
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_video_note(ana.id, "EMUnosuchfile")


# --- animations ----------------------------------------------------------------------------------


async def test_an_uploaded_animation_also_carries_the_same_file_as_a_document(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    sent = await bot.send_animation(
        ana.id, InputFile(media.gif.read_bytes(), filename="cheer.gif"), caption="Goal!"
    )

    assert sent.animation is not None and sent.document is not None
    assert (sent.animation.width, sent.animation.height) == (64, 48)
    assert sent.animation.duration == timedelta(seconds=1)
    assert sent.animation.file_name == "cheer.gif"
    assert sent.animation.mime_type == "image/gif"
    assert sent.document.file_id == sent.animation.file_id
    assert sent.document.file_name == "cheer.gif"
    assert sent.caption == "Goal!"


@pytest.mark.parametrize(("clip", "mime_type"), [("gif", "image/gif"), ("clip", "video/mp4")])
async def test_an_animation_of_unnamed_bytes_is_typed_by_its_content(
    bot: Bot, ana: EmulatedUser, media: MediaFiles, clip: str, mime_type: str
) -> None:
    sent = await bot.send_animation(ana.id, getattr(media, clip).read_bytes())

    assert sent.animation is not None and sent.document is not None
    assert sent.animation.mime_type == sent.document.mime_type == mime_type


async def test_an_animation_keeps_the_declared_size_and_duration(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    sent = await bot.send_animation(
        ana.id, media.gif.read_bytes(), width=640, height=480, duration=2
    )

    assert sent.animation is not None
    assert (sent.animation.width, sent.animation.height) == (640, 480)
    assert sent.animation.duration == timedelta(seconds=2)


async def test_an_animation_sent_again_by_file_id_keeps_its_file_id(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    first = await bot.send_animation(ana.id, media.gif.read_bytes())
    assert first.animation is not None

    again = await bot.send_animation(ana.id, first.animation.file_id)

    assert again.animation is not None and again.document is not None
    assert again.animation.file_id == again.document.file_id == first.animation.file_id


# --- videos and the limits of declared values ----------------------------------------------------


async def test_a_video_without_declared_values_gets_them_from_the_file(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    sent = await bot.send_video(ana.id, InputFile(media.clip.read_bytes(), filename="drill.mp4"))

    assert sent.video is not None
    assert (sent.video.width, sent.video.height) == (320, 240)
    assert sent.video.duration == timedelta(seconds=2)


async def test_declared_values_out_of_range_are_clamped_as_the_bot_api_does(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    sent = await bot.send_video(
        ana.id, media.clip.read_bytes(), width=20000, height=10, duration=10**6
    )

    assert sent.video is not None
    assert (sent.video.width, sent.video.height) == (10000, 10)
    assert sent.video.duration == timedelta(days=1)


# --- copies --------------------------------------------------------------------------------------


async def test_a_copied_voice_keeps_the_file_and_takes_the_new_caption(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    original = await bot.send_voice(ana.id, media.voice.read_bytes(), caption="Old")
    assert original.voice is not None

    copied = await bot.copy_message(ana.id, ana.id, original.message_id, caption="New")

    assert isinstance(copied, MessageId)
    await ana.expect("message")
    seen = await ana.expect("message")
    assert seen["message_id"] == copied.message_id
    assert seen["voice"]["file_id"] == original.voice.file_id
    assert seen["caption"] == "New"
    assert "forward_origin" not in seen


async def test_an_empty_caption_removes_the_caption_from_the_copy(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    original = await bot.send_voice(
        ana.id, media.voice.read_bytes(), caption="<b>Old</b>", parse_mode=ParseMode.HTML
    )

    await bot.copy_message(ana.id, ana.id, original.message_id, caption="")

    await ana.expect("message")
    seen = await ana.expect("message")
    assert "caption" not in seen and "caption_entities" not in seen


async def test_a_persons_voice_can_be_copied_to_another_chat_without_a_forward_header(
    emulator: Emulator, bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    coach = emulator.user("Carla")
    await coach.send("/start")
    voice = await ana.send_voice(media.voice)

    copied = await bot.copy_message(coach.id, ana.id, voice["message_id"])

    seen = await coach.expect("message")
    assert seen["message_id"] == copied.message_id
    assert seen["voice"] == voice["voice"]
    assert seen["from"]["is_bot"] is True
    assert "forward_origin" not in seen


async def test_a_copied_text_repeats_the_text_without_a_forward_header(
    bot: Bot, ana: EmulatedUser
) -> None:
    start = ana.events("message")[-1].data

    copied = await bot.copy_message(ana.id, ana.id, start["message_id"])

    seen = await ana.expect("message")
    assert seen["message_id"] == copied.message_id
    assert seen["text"] == "/start"
    assert seen["from"]["is_bot"] is True
    assert "forward_origin" not in seen


async def test_a_copied_video_note_stays_without_a_caption(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    original = await bot.send_video_note(ana.id, media.round_clip.read_bytes())

    await bot.copy_message(ana.id, ana.id, original.message_id, caption="Nice")

    await ana.expect("message")
    seen = await ana.expect("message")
    assert "video_note" in seen and "caption" not in seen


async def test_copying_a_message_that_does_not_exist_is_refused(
    bot: Bot, ana: EmulatedUser
) -> None:
    with pytest.raises(BadRequest, match=r"^Message to copy not found$"):
        await bot.copy_message(ana.id, ana.id, 9999)


async def test_copying_a_deleted_message_is_refused(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    original = await bot.send_voice(ana.id, media.voice.read_bytes())
    await bot.delete_message(ana.id, original.message_id)

    with pytest.raises(BadRequest, match=r"(?i)message to copy not found"):
        await bot.copy_message(ana.id, ana.id, original.message_id)


async def test_copying_from_an_unknown_chat_is_refused(bot: Bot, ana: EmulatedUser) -> None:
    with pytest.raises(BadRequest, match=r"(?i)chat not found"):
        await bot.copy_message(ana.id, 987654321, 1)


async def test_forwarding_a_missing_message_names_the_forward(bot: Bot, ana: EmulatedUser) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message to forward not found"):
        await bot.forward_message(ana.id, ana.id, 9999)


async def test_a_forwarded_voice_names_the_person_who_recorded_it(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    voice = await ana.send_voice(media.voice)

    forwarded = await bot.forward_message(ana.id, ana.id, voice["message_id"])

    assert forwarded.voice is not None
    assert forwarded.voice.file_id == voice["voice"]["file_id"]
    assert isinstance(forwarded.forward_origin, MessageOriginUser)
    assert forwarded.forward_origin.sender_user.id == ana.id

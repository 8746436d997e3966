"""What a person sends reaches the bot as Telegram sends it: voice, video notes, GIFs, replies."""

from __future__ import annotations

from datetime import timedelta

import pytest
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters

from telegram_emulator import ClientError, EmulatedUser, Emulator
from tests.telegram_emulator.media_files import MediaFiles


@pytest.fixture(autouse=True)
def durations_as_timedelta(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB's future behaviour, without its warning


async def next_message(bot: Bot) -> Message:
    """The newest message update, after confirming everything before it."""
    updates = await bot.get_updates(timeout=5)
    await bot.get_updates(offset=updates[-1].update_id + 1, timeout=0)
    message = updates[-1].message
    assert message is not None
    return message


async def download(bot: Bot, file_id: str) -> bytes:
    return bytes(await (await bot.get_file(file_id)).download_as_bytearray())


# --- voice, video notes, animations, videos ------------------------------------------------------


async def test_a_persons_voice_reaches_the_bot_with_its_duration_and_type(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    sent = await ana.send_voice(media.voice, caption="my split times")

    message = await next_message(bot)
    assert message.voice is not None
    assert message.voice.duration == timedelta(seconds=4)
    assert message.voice.mime_type == "audio/ogg"
    assert message.caption == "my split times"
    assert set(sent["voice"]) == {"file_id", "file_unique_id", "duration", "mime_type", "file_size"}
    assert await download(bot, message.voice.file_id) == media.voice.read_bytes()


async def test_a_persons_video_note_reaches_the_bot_round_with_length_and_duration(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    sent = await ana.send_video_note(media.round_clip)

    message = await next_message(bot)
    assert message.video_note is not None
    assert message.video_note.length == 240
    assert message.video_note.duration == timedelta(seconds=3)
    assert message.caption is None
    assert set(sent["video_note"]) == {
        "file_id",
        "file_unique_id",
        "length",
        "duration",
        "file_size",
    }


async def test_a_persons_animation_reaches_the_bot_with_the_same_file_as_a_document(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    await ana.send_animation(media.gif, caption="we won")

    message = await next_message(bot)
    assert message.animation is not None and message.document is not None
    assert (message.animation.width, message.animation.height) == (64, 48)
    assert message.animation.duration == timedelta(seconds=1)
    assert message.animation.file_name == "cheer.gif"
    assert message.document.file_id == message.animation.file_id
    assert message.caption == "we won"


async def test_a_persons_video_has_the_duration_and_size_of_the_file(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    await ana.send_video(media.clip)

    message = await next_message(bot)
    assert message.video is not None
    assert (message.video.width, message.video.height) == (320, 240)
    assert message.video.duration == timedelta(seconds=2)


async def test_a_video_shot_upright_on_a_phone_reports_its_upright_size(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    await ana.send_video(media.upright_clip)

    message = await next_message(bot)
    assert message.video is not None
    assert (message.video.width, message.video.height) == (240, 320)


async def test_a_file_ffmpeg_cannot_read_reports_zeros(bot: Bot, ana: EmulatedUser) -> None:
    await ana.send_voice(b"OggS" + bytes(200))

    message = await next_message(bot)
    assert message.voice is not None
    assert message.voice.duration == timedelta(0)


async def test_a_video_note_cannot_carry_a_caption(emulator: Emulator, ana: EmulatedUser) -> None:
    with pytest.raises(ClientError, match=r"caption"):
        await emulator.client.send_file(
            ana.person, b"\x00", filename="note.mp4", caption="hi", as_kind="video_note"
        )


async def test_a_file_cannot_be_sent_as_an_unknown_kind(
    emulator: Emulator, ana: EmulatedUser
) -> None:
    with pytest.raises(ClientError, match=r"sticker"):
        await emulator.client.send_file(ana.person, b"\x00", filename="x", as_kind="sticker")


async def test_a_gif_uploaded_without_a_kind_goes_as_an_animation(
    emulator: Emulator, ana: EmulatedUser, media: MediaFiles
) -> None:
    sent = await emulator.client.send_file(
        ana.person, media.gif.read_bytes(), filename="cheer.gif", mime_type="image/gif"
    )

    assert "animation" in sent and sent["document"]["file_id"] == sent["animation"]["file_id"]


# --- replies -------------------------------------------------------------------------------------


async def test_a_reply_carries_the_whole_replied_to_message(bot: Bot, ana: EmulatedUser) -> None:
    buttons = InlineKeyboardMarkup([[InlineKeyboardButton("Yes", callback_data="yes")]])
    question = await bot.send_message(ana.id, "Coming on Friday?", reply_markup=buttons)
    await next_message(bot)  # confirm the /start

    await ana.send("Yes, at 6", reply_to=await ana.expect("message"))

    message = await next_message(bot)
    assert message.text == "Yes, at 6"
    assert message.reply_to_message is not None
    assert message.reply_to_message.message_id == question.message_id
    assert message.reply_to_message.text == "Coming on Friday?"
    assert message.reply_to_message.from_user is not None
    assert message.reply_to_message.from_user.is_bot
    assert message.reply_to_message.reply_markup == buttons


async def test_a_reply_may_name_the_message_by_its_id(bot: Bot, ana: EmulatedUser) -> None:
    question = await bot.send_message(ana.id, "Which day?")

    sent = await ana.send("Monday", reply_to=question.message_id)

    assert sent["reply_to_message"]["message_id"] == question.message_id


async def test_a_reply_to_a_reply_carries_only_one_level(bot: Bot, ana: EmulatedUser) -> None:
    start = ana.events("message")[-1].data
    answer = await bot.send_message(
        ana.id, "Welcome", reply_parameters=ReplyParameters(start["message_id"])
    )

    sent = await ana.send("Thanks", reply_to=answer.message_id)

    assert sent["reply_to_message"]["text"] == "Welcome"
    assert "reply_to_message" not in sent["reply_to_message"]


async def test_a_voice_reply_carries_the_replied_to_message(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    question = await bot.send_message(ana.id, "How did the session go?")
    await next_message(bot)  # confirm the /start

    await ana.send_voice(media.voice, reply_to=question.message_id)

    message = await next_message(bot)
    assert message.voice is not None
    assert message.reply_to_message is not None
    assert message.reply_to_message.message_id == question.message_id


async def test_a_video_reply_and_a_video_note_reply_carry_the_replied_to_message(
    bot: Bot, ana: EmulatedUser, media: MediaFiles
) -> None:
    question = await bot.send_message(ana.id, "Send me your squat")

    video = await ana.send_video(media.clip, caption="set 1", reply_to=question.message_id)
    note = await ana.send_video_note(media.round_clip, reply_to=question.message_id)

    assert video["reply_to_message"]["text"] == "Send me your squat"
    assert note["reply_to_message"]["message_id"] == question.message_id


async def test_replying_to_a_message_that_is_not_in_the_chat_is_refused(
    ana: EmulatedUser,
) -> None:
    with pytest.raises(ClientError, match=r"reply"):
        await ana.send("Hello?", reply_to=9999)


async def test_replying_to_a_deleted_message_is_refused(bot: Bot, ana: EmulatedUser) -> None:
    gone = await bot.send_message(ana.id, "Oops")
    await bot.delete_message(ana.id, gone.message_id)

    with pytest.raises(ClientError, match=r"reply"):
        await ana.send("What was that?", reply_to=gone.message_id)


async def test_in_a_group_a_reply_to_the_bot_reaches_it_despite_privacy_mode(
    emulator: Emulator, bot: Bot, ana: EmulatedUser
) -> None:
    bea = emulator.user("Bea")
    team = emulator.group("Team", [ana, bea])
    await next_message(bot)  # confirm the /start
    question = await bot.send_message(team.id, "Who brings the balls?")

    await bea.send("Not me", chat=team)  # privacy mode: the bot does not get this one
    await ana.send("Me", chat=team, reply_to=question.message_id)

    message = await next_message(bot)
    assert message.text == "Me"
    assert message.reply_to_message is not None
    assert message.reply_to_message.message_id == question.message_id


async def test_in_a_group_a_person_presses_a_button_and_awaits_the_bots_answer_there(
    emulator: Emulator, bot: Bot, ana: EmulatedUser
) -> None:
    team = emulator.group("Team", [ana])
    await next_message(bot)  # confirm the /start
    keyboard = InlineKeyboardMarkup([[InlineKeyboardButton("Count me in", callback_data="in")]])
    await bot.send_message(team.id, "Training on Friday?", reply_markup=keyboard)

    await ana.press("Count me in", chat=team)
    [update] = await bot.get_updates(timeout=5)
    await ana.send("/who", chat=team)
    await bot.send_message(team.id, "Ana is in.")

    query = update.callback_query
    assert query is not None and query.data == "in"
    assert query.message is not None and query.message.chat.id == team.id
    # Awaiting the group's next message starts after Ana's own, not at the question before it.
    assert (await ana.expect_reply(chat=team))["text"] == "Ana is in."
    assert [m["text"] for m in ana.messages(chat=team)][-2:] == ["/who", "Ana is in."]
    assert ana.events("callback_answer", chat=team) == []

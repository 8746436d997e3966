"""Photos, videos, documents, albums and file downloads, through PTB's own Bot."""

from __future__ import annotations

import struct
import zlib
from datetime import timedelta

import pytest
from telegram import Bot, InputFile, InputMediaPhoto, Message, MessageEntity, PhotoSize
from telegram.constants import ParseMode
from telegram.error import BadRequest

from telegram_emulator import EmulatedUser


def png(width: int, height: int) -> bytes:
    """A real (grey) PNG picture of the given size."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 64
PDF = b"%PDF-1.4\n% training plan\n"


async def download(bot: Bot, file_id: str) -> bytes:
    """The bytes behind a file_id, fetched the way a PTB bot does."""
    return bytes(await (await bot.get_file(file_id)).download_as_bytearray())


# --- photos --------------------------------------------------------------------------------------


async def test_uploaded_photo_comes_back_as_sizes_with_its_dimensions(
    bot: Bot, ana: EmulatedUser
) -> None:
    sent = await bot.send_photo(
        ana.id, png(300, 200), caption="Team <b>photo</b>", parse_mode=ParseMode.HTML
    )

    assert isinstance(sent, Message)
    assert all(isinstance(size, PhotoSize) for size in sent.photo)
    assert (sent.photo[-1].width, sent.photo[-1].height) == (300, 200)
    assert sent.photo[0].width <= 90 and sent.photo[0].height <= 90
    assert sent.caption == "Team photo"
    assert sent.caption_entities == (MessageEntity(MessageEntity.BOLD, 5, 5),)
    seen = await ana.expect("message")
    assert seen["photo"][-1]["file_id"] == sent.photo[-1].file_id


async def test_a_photo_sent_again_by_file_id_keeps_its_file_id(bot: Bot, ana: EmulatedUser) -> None:
    first = await bot.send_photo(ana.id, png(40, 40))

    again = await bot.send_photo(ana.id, first.photo[-1].file_id)

    assert again.photo[-1].file_id == first.photo[-1].file_id
    assert again.photo[-1].file_unique_id == first.photo[-1].file_unique_id
    assert again.message_id != first.message_id


async def test_a_photo_url_is_refused_because_the_emulator_is_offline(
    bot: Bot, ana: EmulatedUser
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)offline"):
        await bot.send_photo(ana.id, "https://example.org/team.jpg")


async def test_an_unknown_file_id_is_refused(bot: Bot, ana: EmulatedUser) -> None:
    with pytest.raises(BadRequest, match=r"(?i)wrong file identifier"):
        await bot.send_photo(ana.id, "EMUnosuchfile")


async def test_bytes_that_are_not_a_picture_are_refused_as_a_photo(
    bot: Bot, ana: EmulatedUser
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)image_process_failed"):
        await bot.send_photo(ana.id, b"not a picture")


# --- documents and videos ------------------------------------------------------------------------


async def test_uploaded_document_keeps_its_name_and_type(bot: Bot, ana: EmulatedUser) -> None:
    sent = await bot.send_document(ana.id, InputFile(PDF, filename="plan.pdf"), caption="Plan")

    assert sent.document is not None
    assert sent.document.file_name == "plan.pdf"
    assert sent.document.mime_type == "application/pdf"
    assert sent.document.file_size == len(PDF)
    assert sent.caption == "Plan"


async def test_uploaded_video_keeps_the_declared_size_and_duration(
    bot: Bot, ana: EmulatedUser, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # durations as timedelta, without the warning
    sent = await bot.send_video(
        ana.id,
        InputFile(MP4, filename="drill.mp4"),
        duration=12,
        width=640,
        height=360,
        supports_streaming=True,
    )

    assert sent.video is not None
    assert (sent.video.width, sent.video.height) == (640, 360)
    assert sent.video.duration == timedelta(seconds=12)
    assert sent.video.mime_type == "video/mp4"
    assert sent.video.file_name == "drill.mp4"


async def test_a_document_sent_again_by_file_id_keeps_its_file_id(
    bot: Bot, ana: EmulatedUser
) -> None:
    first = await bot.send_document(ana.id, InputFile(PDF, filename="plan.pdf"))
    assert first.document is not None

    again = await bot.send_document(ana.id, first.document.file_id)

    assert again.document is not None
    assert again.document.file_id == first.document.file_id


# --- getFile and download ------------------------------------------------------------------------


@pytest.mark.parametrize("content", [PDF, png(64, 48), MP4])
async def test_a_file_downloads_through_ptb_byte_for_byte(
    bot: Bot, ana: EmulatedUser, content: bytes
) -> None:
    sent = await bot.send_document(ana.id, InputFile(content, filename="upload.bin"))
    assert sent.document is not None

    assert await download(bot, sent.document.file_id) == content


async def test_get_file_gives_a_path_and_the_size(bot: Bot, ana: EmulatedUser) -> None:
    sent = await bot.send_photo(ana.id, png(20, 10))

    file = await bot.get_file(sent.photo[-1].file_id)

    assert file.file_id == sent.photo[-1].file_id
    assert file.file_size == sent.photo[-1].file_size
    assert file.file_path is not None and "/files/" in file.file_path


async def test_a_file_the_person_sent_can_be_downloaded_by_the_bot(
    bot: Bot, ana: EmulatedUser
) -> None:
    picture = png(120, 80)
    sent = await ana.send_photo(picture, caption="my kit")

    assert await download(bot, sent["photo"][-1]["file_id"]) == picture


async def test_get_file_with_an_unknown_id_is_refused(bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
        await bot.get_file("EMUnosuchfile")


# --- albums --------------------------------------------------------------------------------------


async def test_two_photos_go_out_as_one_album(bot: Bot, ana: EmulatedUser) -> None:
    album = await bot.send_media_group(
        ana.id,
        [
            InputMediaPhoto(png(30, 20), caption="Before"),
            InputMediaPhoto(png(20, 30)),
        ],
    )

    assert len(album) == 2
    assert all(isinstance(message, Message) for message in album)
    assert album[0].media_group_id is not None
    assert album[0].media_group_id == album[1].media_group_id
    assert album[0].caption == "Before" and album[1].caption is None
    assert (album[1].photo[-1].width, album[1].photo[-1].height) == (20, 30)
    assert [(await ana.expect("message"))["message_id"] for _ in album] == [
        message.message_id for message in album
    ]


async def test_an_album_of_one_is_refused(bot: Bot, ana: EmulatedUser) -> None:
    with pytest.raises(BadRequest, match=r"(?i)wrong number of messages"):
        await bot.send_media_group(ana.id, [InputMediaPhoto(png(10, 10))])


# --- captions ------------------------------------------------------------------------------------


async def test_edited_caption_is_returned_and_seen_by_the_person(
    bot: Bot, ana: EmulatedUser
) -> None:
    sent = await bot.send_photo(ana.id, png(10, 10), caption="Draft")

    edited = await bot.edit_message_caption(
        ana.id, sent.message_id, caption="<i>Final</i>", parse_mode=ParseMode.HTML
    )

    assert isinstance(edited, Message)
    assert edited.caption == "Final"
    assert edited.caption_entities == (MessageEntity(MessageEntity.ITALIC, 0, 5),)
    await ana.expect("message")
    assert (await ana.expect("edit"))["caption"] == "Final"


async def test_a_caption_can_be_removed_by_editing(bot: Bot, ana: EmulatedUser) -> None:
    sent = await bot.send_photo(
        ana.id, png(10, 10), caption="<b>Draft</b>", parse_mode=ParseMode.HTML
    )

    edited = await bot.edit_message_caption(ana.id, sent.message_id)

    assert edited.caption is None and edited.caption_entities == ()
    await ana.expect("message")
    seen = await ana.expect("edit")
    assert "caption" not in seen and "caption_entities" not in seen


async def test_removing_a_caption_that_is_not_there_is_not_modified(
    bot: Bot, ana: EmulatedUser
) -> None:
    sent = await bot.send_photo(ana.id, png(10, 10))

    with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
        await bot.edit_message_caption(ana.id, sent.message_id)


async def test_a_text_message_has_no_caption_to_edit(bot: Bot, ana: EmulatedUser) -> None:
    sent = await bot.send_message(ana.id, "Text")

    with pytest.raises(BadRequest, match=r"(?i)there is no caption in the message to edit"):
        await bot.edit_message_caption(ana.id, sent.message_id, caption="New")


async def test_a_copied_photo_can_get_a_new_caption(bot: Bot, ana: EmulatedUser) -> None:
    original = await bot.send_photo(ana.id, png(10, 10), caption="Old")

    copied = await bot.copy_message(ana.id, ana.id, original.message_id, caption="New")

    await ana.expect("message")
    seen = await ana.expect("message")
    assert seen["message_id"] == copied.message_id
    assert seen["caption"] == "New"
    assert seen["photo"][-1]["file_id"] == original.photo[-1].file_id


# --- profile photos ------------------------------------------------------------------------------


async def test_profile_photos_newest_first_as_sizes_and_downloadable_by_get_file(
    bot: Bot, ana: EmulatedUser
) -> None:
    assert (await bot.get_user_profile_photos(ana.id)).total_count == 0
    await ana.set_profile_photo(png(40, 40))
    await ana.set_profile_photo(png(300, 200))

    photos = await bot.get_user_profile_photos(ana.id, limit=1)

    assert photos.total_count == 2 and len(photos.photos) == 1
    biggest = photos.photos[0][-1]
    assert (biggest.width, biggest.height) == (300, 200)
    assert await download(bot, biggest.file_id) == png(300, 200)
    older = await bot.get_user_profile_photos(ana.id, offset=1)
    assert [(size.width, size.height) for size in older.photos[0]] == [(40, 40)]


async def test_removed_profile_photos_are_gone_and_an_unknown_user_is_refused(
    bot: Bot, ana: EmulatedUser
) -> None:
    await ana.set_profile_photo(png(40, 40))
    ana.remove_profile_photos()

    assert (await bot.get_user_profile_photos(ana.id)).photos == ()
    with pytest.raises(BadRequest, match=r"(?i)user not found"):
        await bot.get_user_profile_photos(999_999_999)

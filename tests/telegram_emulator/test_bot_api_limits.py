"""Telegram's limits and refusals, with Telegram's texts, seen through PTB's own Bot.

PTB strips "Bad Request: " from descriptions and capitalises what is left, so texts are compared
case-insensitively. Where time matters the emulator runs on a clock the test moves.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import timedelta

import aiohttp
import pytest
from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    InputMediaPhoto,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter

from telegram_emulator import EmulatedUser, Emulator
from telegram_emulator.methods.media import UPLOAD_LIMIT
from telegram_emulator.methods.messages import CALLBACK_LIFETIME_S
from tests.clock import FakeClock

MB = 1024 * 1024
GIF = b"GIF89a\x01\x00\x01\x00\x00\x00\x00;"  # a 1×1 picture


@pytest.fixture
async def limited(clock: FakeClock) -> AsyncIterator[Emulator]:
    """An emulator with Telegram's limits on and time under the test's control."""
    async with Emulator(clock=clock) as running:
        yield running


@pytest.fixture
async def limited_bot(limited: Emulator) -> AsyncIterator[Bot]:
    async with Bot(
        limited.token, base_url=limited.base_url, base_file_url=limited.base_file_url
    ) as ptb_bot:
        yield ptb_bot


async def started(emulator: Emulator, name: str) -> EmulatedUser:
    person = emulator.user(name)
    await person.send("/start")
    return person


@pytest.fixture
async def bea(limited: Emulator) -> EmulatedUser:
    return await started(limited, "Bea")


@pytest.fixture(autouse=True)
def timedelta_periods(monkeypatch: pytest.MonkeyPatch) -> None:
    """PTB's future behaviour: RetryAfter.retry_after as a timedelta, without the warning."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")


# --- lengths -------------------------------------------------------------------------------------


async def test_text_over_4096_characters_is_too_long(limited_bot: Bot, bea: EmulatedUser) -> None:
    assert (await limited_bot.send_message(bea.id, "a" * 4096)).text == "a" * 4096

    with pytest.raises(BadRequest, match=r"(?i)^message is too long$"):
        await limited_bot.send_message(bea.id, "a" * 4097)


async def test_length_is_counted_after_markup_is_parsed(
    limited_bot: Bot, bea: EmulatedUser
) -> None:
    raw = "<b>" + "a" * 4090 + "</b>&amp;"

    sent = await limited_bot.send_message(bea.id, raw, parse_mode=ParseMode.HTML)

    assert len(raw) > 4096
    assert sent.text == "a" * 4090 + "&"


async def test_markup_that_parses_to_over_4096_characters_is_too_long(
    limited_bot: Bot, bea: EmulatedUser
) -> None:
    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await limited_bot.send_message(
            bea.id, "<b>" + "a" * 4097 + "</b>", parse_mode=ParseMode.HTML
        )


async def test_edited_text_over_4096_characters_is_too_long(
    limited_bot: Bot, bea: EmulatedUser
) -> None:
    sent = await limited_bot.send_message(bea.id, "short")

    with pytest.raises(BadRequest, match=r"(?i)message is too long"):
        await limited_bot.edit_message_text("a" * 4097, chat_id=bea.id, message_id=sent.message_id)


async def test_callback_data_over_64_bytes_is_invalid(limited_bot: Bot, bea: EmulatedUser) -> None:
    def button(data: str) -> InlineKeyboardMarkup:
        return InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data=data)]])

    await limited_bot.send_message(bea.id, "fits", reply_markup=button("é" * 32))  # 64 bytes

    with pytest.raises(BadRequest, match=r"(?i)^button_data_invalid$"):
        await limited_bot.send_message(bea.id, "too much", reply_markup=button("é" * 32 + "x"))


async def test_caption_over_1024_characters_is_too_long(
    limited_bot: Bot, bea: EmulatedUser
) -> None:
    await limited_bot.send_photo(bea.id, GIF, caption="a" * 1024)

    with pytest.raises(BadRequest, match=r"(?i)^message caption is too long$"):
        await limited_bot.send_photo(bea.id, GIF, caption="a" * 1025)


async def test_editing_to_identical_content_is_not_modified(
    limited_bot: Bot, bea: EmulatedUser
) -> None:
    sent = await limited_bot.send_message(bea.id, "<b>Same</b>", parse_mode=ParseMode.HTML)

    with pytest.raises(BadRequest, match=r"(?i)^message is not modified: specified new message"):
        await limited_bot.edit_message_text(
            "<b>Same</b>", chat_id=bea.id, message_id=sent.message_id, parse_mode=ParseMode.HTML
        )


# --- files ---------------------------------------------------------------------------------------


@pytest.mark.slow
async def test_files_over_20_mb_cannot_be_downloaded(limited_bot: Bot, bea: EmulatedUser) -> None:
    sent = await limited_bot.send_document(
        bea.id, InputFile(b"x" * (21 * MB), filename="big.bin"), write_timeout=60
    )
    assert sent.document is not None

    with pytest.raises(BadRequest, match=r"(?i)^file is too big$"):
        await limited_bot.get_file(sent.document.file_id)


@pytest.mark.slow
async def test_the_local_server_mode_serves_files_over_20_mb() -> None:
    content = b"y" * (21 * MB)
    async with (
        Emulator(local_mode=True) as local,
        Bot(local.token, base_url=local.base_url, base_file_url=local.base_file_url) as bot,
    ):
        person = await started(local, "Cleo")
        sent = await bot.send_document(
            person.id, InputFile(content, filename="big.bin"), write_timeout=60
        )
        assert sent.document is not None

        file = await bot.get_file(sent.document.file_id)

        assert file.file_size == len(content)
        assert await file.download_as_bytearray() == content


@pytest.mark.slow
async def test_uploads_over_50_mb_are_refused_with_413(
    limited: Emulator, limited_bot: Bot, bea: EmulatedUser
) -> None:
    content = b"z" * (UPLOAD_LIMIT + 1)

    with pytest.raises(NetworkError, match=r"Request Entity Too Large") as caught:
        await limited_bot.send_document(
            bea.id, InputFile(content, filename="huge.bin"), write_timeout=60
        )
    assert not isinstance(caught.value, BadRequest)

    form = aiohttp.FormData({"chat_id": str(bea.id)})
    form.add_field("document", content, filename="huge.bin")
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{limited.base_url}{limited.token}/sendDocument", data=form) as response,
    ):
        assert response.status == 413
        assert await response.json() == {
            "ok": False,
            "error_code": 413,
            "description": "Request Entity Too Large",
        }


# --- callback queries ----------------------------------------------------------------------------


async def test_a_callback_query_is_too_old_after_its_lifetime(
    limited_bot: Bot, bea: EmulatedUser, clock: FakeClock
) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])
    await limited_bot.send_message(bea.id, "Go?", reply_markup=markup)
    await bea.press("Go")
    query = next(u.callback_query for u in await limited_bot.get_updates() if u.callback_query)

    clock.advance(CALLBACK_LIFETIME_S + 1)

    with pytest.raises(BadRequest, match=r"(?i)^query is too old and response timeout expired"):
        await query.answer("late")
    assert bea.events("callback_answer") == []


async def test_a_callback_query_can_be_answered_within_its_lifetime(
    limited_bot: Bot, bea: EmulatedUser, clock: FakeClock
) -> None:
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]])
    await limited_bot.send_message(bea.id, "Go?", reply_markup=markup)
    await bea.press("Go")
    query = next(u.callback_query for u in await limited_bot.get_updates() if u.callback_query)

    clock.advance(CALLBACK_LIFETIME_S - 1)

    assert await query.answer("just in time") is True


# --- who the bot may write to --------------------------------------------------------------------


async def test_an_unknown_chat_is_not_found(limited_bot: Bot) -> None:
    with pytest.raises(BadRequest, match=r"(?i)^chat not found$"):
        await limited_bot.send_message(424242, "Anyone?")


async def test_a_person_who_blocked_the_bot_cannot_be_written_to(
    limited_bot: Bot, bea: EmulatedUser
) -> None:
    bea.block_bot()

    with pytest.raises(Forbidden, match=r"^Forbidden: bot was blocked by the user$"):
        await limited_bot.send_message(bea.id, "Come back!")

    await bea.send("/start")  # writing again unblocks
    assert (await limited_bot.send_message(bea.id, "Welcome back")).text == "Welcome back"


async def test_the_bot_cannot_start_a_conversation(limited: Emulator, limited_bot: Bot) -> None:
    stranger = limited.user("Dora")

    with pytest.raises(
        Forbidden, match=r"^Forbidden: bot can't initiate conversation with a user$"
    ):
        await limited_bot.send_message(stranger.id, "Hi!")


# --- flood control -------------------------------------------------------------------------------

PRIVATE_BURST = 20  # what the emulator lets through at once to one private chat (README.md)


async def test_a_short_burst_to_one_private_chat_all_arrives(
    limited_bot: Bot, bea: EmulatedUser
) -> None:
    for n in range(PRIVATE_BURST):
        await limited_bot.send_message(bea.id, f"part {n + 1}")

    delivered = [e.data["text"] for e in bea.events("message") if e.data["text"] != "/start"]
    assert delivered == [f"part {n + 1}" for n in range(PRIVATE_BURST)]


async def test_an_album_of_ten_and_its_heading_go_to_a_private_chat_at_once(
    limited_bot: Bot, bea: EmulatedUser
) -> None:
    await limited_bot.send_message(bea.id, "Your photos of today:")

    album = await limited_bot.send_media_group(bea.id, [InputMediaPhoto(GIF) for _ in range(10)])

    assert len(album) == 10


async def test_sends_past_the_burst_get_one_a_second_and_429_in_between(
    limited_bot: Bot, bea: EmulatedUser, clock: FakeClock
) -> None:
    for n in range(PRIVATE_BURST):
        await limited_bot.send_message(bea.id, f"burst {n}")

    with pytest.raises(RetryAfter) as caught:
        await limited_bot.send_message(bea.id, "one too many")
    assert caught.value.retry_after == timedelta(seconds=1)
    for second in range(5):  # sustained: one a second passes, a second one in that second not
        clock.advance(1)
        assert (await limited_bot.send_message(bea.id, f"steady {second}")).text
        with pytest.raises(RetryAfter) as caught:
            await limited_bot.send_message(bea.id, f"too soon {second}")
        assert caught.value.retry_after == timedelta(seconds=1)


async def test_a_quiet_chat_earns_its_burst_back(
    limited_bot: Bot, bea: EmulatedUser, clock: FakeClock
) -> None:
    for n in range(PRIVATE_BURST):
        await limited_bot.send_message(bea.id, f"first burst {n}")

    clock.advance(PRIVATE_BURST)  # one message's worth a second

    for n in range(PRIVATE_BURST):
        await limited_bot.send_message(bea.id, f"second burst {n}")
    with pytest.raises(RetryAfter):
        await limited_bot.send_message(bea.id, "one too many")


async def test_a_burst_to_one_chat_waits_retry_after_seconds(
    limited_bot: Bot, bea: EmulatedUser, clock: FakeClock
) -> None:
    with pytest.raises(RetryAfter) as caught:
        for n in range(PRIVATE_BURST + 10):
            await limited_bot.send_message(bea.id, f"message {n}")
    wait = caught.value.retry_after
    assert isinstance(wait, timedelta) and wait >= timedelta(seconds=1)
    sent_before = len(bea.events("message"))

    with pytest.raises(RetryAfter):
        await limited_bot.send_message(bea.id, "still too soon")
    clock.advance(wait.total_seconds())

    assert (await limited_bot.send_message(bea.id, "now")).text == "now"
    assert len(bea.events("message")) == sent_before + 1


async def test_a_group_takes_20_messages_a_minute(
    limited: Emulator, limited_bot: Bot, clock: FakeClock
) -> None:
    team = limited.world.add_group("Juniors", [])
    for n in range(20):
        await limited_bot.send_message(team.id, f"message {n}")
        clock.advance(1)  # one a second: far below the per-second limits

    with pytest.raises(RetryAfter) as caught:
        await limited_bot.send_message(team.id, "one too many")
    wait = caught.value.retry_after
    assert wait == timedelta(seconds=40)  # when the first of the 20 is a minute old

    clock.advance(wait.total_seconds() - 1)
    with pytest.raises(RetryAfter):
        await limited_bot.send_message(team.id, "still one too many")
    clock.advance(1)
    assert (await limited_bot.send_message(team.id, "later")).text == "later"


async def test_a_bot_sends_30_messages_a_second_overall(
    limited: Emulator, limited_bot: Bot
) -> None:
    people = [await started(limited, f"Runner {n}") for n in range(31)]
    for person in people[:30]:
        await limited_bot.send_message(person.id, "Race at 9")

    with pytest.raises(RetryAfter) as caught:
        await limited_bot.send_message(people[30].id, "Race at 9")
    assert caught.value.retry_after == timedelta(seconds=1)


async def test_a_refused_send_is_not_delivered(limited_bot: Bot, bea: EmulatedUser) -> None:
    with pytest.raises(RetryAfter):
        for n in range(PRIVATE_BURST + 10):
            await limited_bot.send_message(bea.id, f"message {n}")

    delivered = [e.data["text"] for e in bea.events("message") if e.data["text"] != "/start"]
    assert delivered == [f"message {n}" for n in range(PRIVATE_BURST)]


async def test_an_album_refused_by_flood_control_delivers_none_of_its_photos(
    limited_bot: Bot, bea: EmulatedUser, clock: FakeClock
) -> None:
    for n in range(PRIVATE_BURST - 1):  # one message left in the burst
        await limited_bot.send_message(bea.id, f"message {n}")

    with pytest.raises(RetryAfter) as caught:
        await limited_bot.send_media_group(bea.id, [InputMediaPhoto(GIF), InputMediaPhoto(GIF)])

    assert caught.value.retry_after == timedelta(seconds=1)  # the second photo's token
    assert not any("photo" in message for message in bea.messages())
    clock.advance(1)
    assert (
        len(
            await limited_bot.send_media_group(bea.id, [InputMediaPhoto(GIF), InputMediaPhoto(GIF)])
        )
        == 2
    )


async def test_without_limits_fifty_quick_sends_all_pass(bot: Bot, ana: EmulatedUser) -> None:
    for n in range(50):
        await bot.send_message(ana.id, f"message {n}")

    assert len(ana.events("message")) == 51

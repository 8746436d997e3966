"""The aiohttp Bot API client behaves like PTB's own: bodies, uploads, downloads, errors."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import Bot
from telegram.error import BadRequest, NetworkError, TimedOut

from bot.telegram_http import AiohttpRequest
from telegram_emulator import Emulator
from tests.factories import tiny_png


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(limits=False) as running:
        yield running


@pytest.fixture
async def bot(emulator: Emulator) -> AsyncIterator[Bot]:
    async with Bot(
        emulator.token,
        base_url=emulator.base_url,
        base_file_url=emulator.base_file_url,
        request=AiohttpRequest(),
        get_updates_request=AiohttpRequest(connection_pool_size=1),
    ) as ptb_bot:
        yield ptb_bot


async def test_text_with_markup_round_trips(emulator: Emulator, bot: Bot) -> None:
    ana = emulator.user("Ana")
    await ana.send("/start")
    sent = await bot.send_message(ana.id, "<b>Hi</b>", parse_mode="HTML")
    assert sent.text == "Hi"
    assert sent.entities[0].type == "bold"


async def test_an_upload_goes_as_multipart_and_downloads_identically(
    emulator: Emulator, bot: Bot
) -> None:
    ana = emulator.user("Ana")
    await ana.send("/start")
    picture = tiny_png(8, 4)
    sent = await bot.send_photo(ana.id, picture, caption="form check")
    downloaded = await (await bot.get_file(sent.photo[-1].file_id)).download_as_bytearray()
    assert bytes(downloaded) == picture
    assert sent.caption == "form check"


async def test_long_polling_returns_updates_and_telegram_errors_stay_typed(
    emulator: Emulator, bot: Bot
) -> None:
    ana = emulator.user("Ana")
    await ana.send("/start")
    updates = await bot.get_updates(timeout=1)
    assert updates[0].message.text == "/start"
    with pytest.raises(BadRequest, match="Chat not found"):
        await bot.send_message(123, "nobody")


async def test_an_unreachable_server_is_a_network_error() -> None:
    request = AiohttpRequest(connect_timeout=1.0)
    bot = Bot("1:abcdefghijklmnop", base_url="http://127.0.0.1:1/bot", request=request)
    with pytest.raises(NetworkError, match="Cannot connect"):
        await bot.get_me()
    await request.shutdown()  # the bot never initialized, so it would not close its client


async def test_a_server_that_does_not_answer_is_timed_out() -> None:
    never = asyncio.Event()

    async def hang(request: web.Request) -> web.Response:
        await never.wait()
        return web.Response()

    app = web.Application()
    app.router.add_post("/bot{token}/{method}", hang)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    request = AiohttpRequest(read_timeout=0.2)
    bot = Bot("1:abcdefghijklmnop", base_url=f"http://127.0.0.1:{port}/bot", request=request)
    try:
        with pytest.raises(TimedOut):
            await bot.get_me()
    finally:
        never.set()
        await request.shutdown()
        await runner.cleanup()

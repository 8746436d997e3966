"""`python -m telegram_emulator`: options become the emulator, and it says where it listens."""

from __future__ import annotations

import asyncio
import re

import pytest

from telegram_emulator.__main__ import build, main, parse_args, serve


def test_options_name_the_bot_and_the_page_and_set_the_limits() -> None:
    args = parse_args(
        [
            "--port=0",
            "--bot-name=Weather Bot",
            "--bot-username=forecasts_bot",
            "--title=Try the Weather Bot",
            "--no-limits",
            "--local-mode",
            "--token=123456789:abcdefghijklmnop",
        ]
    )

    emulator = build(args)

    assert (emulator.bot.first_name, emulator.bot.username) == ("Weather Bot", "forecasts_bot")
    assert emulator.server.title == "Try the Weather Bot"
    assert emulator.token == "123456789:abcdefghijklmnop"
    assert emulator.world.flood.enabled is False and emulator.world.local_mode is True


def test_by_default_the_bot_is_a_test_bot_with_telegrams_limits_on() -> None:
    emulator = build(parse_args([]))

    assert emulator.bot.first_name == "Test Bot"
    assert emulator.port == 8081
    assert emulator.world.flood.enabled is True


def test_a_username_telegram_would_refuse_ends_the_command_with_the_reason() -> None:
    with pytest.raises(SystemExit, match=r"telegram_emulator: bot username 'nope' must have"):
        main(["--bot-username", "nope"])


async def test_it_prints_the_web_chat_url_and_the_token_then_stops_when_told(
    capsys: pytest.CaptureFixture[str],
) -> None:
    emulator = build(parse_args(["--port", "0"]))
    stop = asyncio.Event()
    stop.set()  # stop as soon as it has started and spoken

    await serve(emulator, stop)

    printed = capsys.readouterr().out
    assert re.search(r"Open the web chat: http://127\.0\.0\.1:\d+/", printed)
    assert f"Bot token: {emulator.token}" in printed
    assert f"Bot API base URL: {emulator.url}/bot" in printed
    assert emulator.port != 0  # it really listened, on a free port

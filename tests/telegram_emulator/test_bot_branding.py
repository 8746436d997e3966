"""Whoever starts the emulator names the bot and the web chat; the emulator names nothing."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest
from telegram import Bot

from telegram_emulator import Emulator
from telegram_emulator.naming import checked_username, username_for


@pytest.fixture
async def weather() -> AsyncIterator[Emulator]:
    async with Emulator(
        limits=False,
        bot_name="Weather Bot",
        bot_username="forecasts_bot",
        title="Try the Weather Bot",
    ) as running:
        yield running


async def get(emulator: Emulator, path: str) -> tuple[str, Any]:
    async with aiohttp.ClientSession() as session, session.get(emulator.url + path) as response:
        assert response.status == 200, await response.text()
        if response.content_type == "application/json":
            return response.content_type, await response.json()
        return response.content_type, await response.text()


async def get_me(emulator: Emulator) -> dict[str, Any]:
    async with Bot(emulator.token, base_url=emulator.base_url) as bot:
        return (await bot.get_me()).to_dict()


async def test_getme_answers_the_name_and_username_the_starter_gave(weather: Emulator) -> None:
    me = await get_me(weather)

    assert (me["first_name"], me["username"]) == ("Weather Bot", "forecasts_bot")


async def test_the_bots_messages_come_from_the_given_name(weather: Emulator) -> None:
    ana = weather.user("Ana")
    await ana.send("/start")

    async with Bot(weather.token, base_url=weather.base_url) as bot:
        sent = await bot.send_message(ana.id, "Sunny all week")

    assert (sent.from_user.first_name, sent.from_user.username) == ("Weather Bot", "forecasts_bot")


async def test_the_web_chat_page_carries_the_given_title_and_name(weather: Emulator) -> None:
    content_type, page = await get(weather, "/")

    assert content_type == "text/html"
    assert "<title>Try the Weather Bot</title>" in page
    assert '<h1 id="bot-name">Weather Bot</h1>' in page
    assert '<div class="avatar" id="bot-avatar" aria-hidden="true">W</div>' in page
    assert "${" not in page  # every slot of the template was filled


async def test_the_web_chat_state_serves_the_title_and_the_bot(weather: Emulator) -> None:
    _, state = await get(weather, "/api/state")

    assert state["title"] == "Try the Weather Bot"
    assert state["bot"]["first_name"] == "Weather Bot"
    assert state["bot"]["username"] == "forecasts_bot"


async def test_without_names_it_is_a_neutral_test_bot(emulator: Emulator) -> None:
    me = await get_me(emulator)
    _, state = await get(emulator, "/api/state")
    _, page = await get(emulator, "/")

    assert me["first_name"] == "Test Bot"
    assert re.fullmatch(r"testbot\d+_bot", me["username"])
    assert state["title"] == "Test Bot · web chat"
    assert "<title>Test Bot · web chat</title>" in page


async def test_a_name_with_markup_is_shown_as_text_in_the_page() -> None:
    async with Emulator(limits=False, bot_name="<Rain & Shine>") as running:
        _, page = await get(running, "/")

    assert "<title>&lt;Rain &amp; Shine&gt; · web chat</title>" in page
    assert "<Rain" not in page


@pytest.mark.parametrize(
    "username",
    ["nope", "weather", "1weather_bot", "weather-bot", "w" * 30 + "bot", "wea bot", "_abot"],
)
def test_a_username_telegram_would_refuse_is_refused(username: str) -> None:
    with pytest.raises(ValueError, match="must have 5-32"):
        Emulator(bot_username=username)


@pytest.mark.parametrize("name", ["", "   ", "x" * 65])
def test_a_bot_name_telegram_would_refuse_is_refused(name: str) -> None:
    with pytest.raises(ValueError, match="1 to 64 characters"):
        Emulator(bot_name=name)


def test_a_username_may_be_given_with_its_at_and_any_case_of_bot() -> None:
    assert checked_username("@Forecasts_Bot") == "Forecasts_Bot"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Test Bot", "testbot1234567890_bot"),
        ("Лига 7", "test1234567890_bot"),  # nothing Latin in the name
        ("2 Fast Coaches", "fastcoaches1234567890_bot"),  # a username starts with a letter
        ("Extraordinarily Long Product Name", "extraordinarilyl1234567890_bot"),
    ],
)
def test_a_derived_username_is_one_telegram_accepts(name: str, expected: str) -> None:
    username = username_for(name, 1234567890)

    assert username == expected
    assert checked_username(username) == username

"""An emulator per test and a PTB Bot talking to it over HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from telegram_emulator import EmulatedUser, Emulator
from tests.telegram_emulator.media_files import MediaFiles, make_media_files


@pytest.fixture
async def emulator() -> AsyncIterator[Emulator]:
    async with Emulator(limits=False) as running:
        yield running


@pytest.fixture
async def bot(emulator: Emulator) -> AsyncIterator[Bot]:
    async with Bot(
        emulator.token, base_url=emulator.base_url, base_file_url=emulator.base_file_url
    ) as ptb_bot:
        yield ptb_bot


@pytest.fixture
async def ana(emulator: Emulator) -> EmulatedUser:
    """A person who has already started the bot."""
    user = emulator.user("Ana", username="ana_runs", language_code="es")
    await user.send("/start")
    return user


@pytest.fixture(scope="session")
def media(tmp_path_factory: pytest.TempPathFactory) -> MediaFiles:
    """Real video, voice and GIF files, made once per run."""
    return make_media_files(tmp_path_factory.mktemp("media"))

"""`sportscenter run` with no token: prints the web chat URL, and /start there gets an answer."""

from __future__ import annotations

import asyncio
import os
import re
import sys
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import pytest
from playwright.async_api import async_playwright, expect

from domain.models import Athlete, User
from domain.uow import UnitOfWork
from telegram_emulator.chromium import CHROMIUM, CHROMIUM_ARGS
from tests.video_clips import make_clip

NOW = datetime.now(UTC)


@pytest.fixture
async def running_bot(database_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """The real command in a child process; yields the web chat URL it printed."""
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_KEY_PREFIX": f"test:{uuid.uuid4().hex}:",
        "TELEGRAM_BOT_TOKEN": "",
        "EMULATOR_PORT": "0",
        "HEALTH_PORT": "0",
        "EMBEDDED_WORKER_HEALTH_PORT": "0",
        "MEDIA_DIR": str(tmp_path / "media"),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "run",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    assert process.stdout is not None
    url = None
    try:
        async with asyncio.timeout(30):
            while url is None:
                line = (await process.stdout.readline()).decode()
                assert line, "sportscenter run exited before printing the web chat URL"
                if match := re.search(r"Open the web chat: (http://\S+)", line):
                    url = match[1]
        yield url
    finally:
        process.terminate()
        await asyncio.wait_for(process.wait(), 30)
    assert process.returncode == 0  # SIGTERM is a clean shutdown


async def test_the_command_answers_start_in_the_web_chat_api(running_bot: str) -> None:
    # The web chat page's own HTTP API (telegram_emulator/README.md), no browser needed.
    async with aiohttp.ClientSession(base_url=f"{running_bot.rstrip('/')}/") as http:
        async with http.post("api/people", json={"first_name": "Noa"}) as response:
            person = (await response.json())["id"]
        async with http.post(f"api/people/{person}/send", json={"text": "/start"}) as response:
            assert response.status == 200
        async with asyncio.timeout(15):
            while True:
                async with http.get(f"api/people/{person}/transcript") as response:
                    texts = [message.get("text", "") for message in await response.json()]
                if any("Hi Noa! I'm SportsCenter" in text for text in texts):
                    break
                await asyncio.sleep(0.1)


@pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (apt-get install -y chromium)",
)
async def test_the_printed_url_opens_the_web_chat_and_start_is_answered(running_bot: str) -> None:
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            await page.goto(running_bot)
            await expect(page.locator("#limits-off")).to_be_hidden()  # `make run` keeps them on
            await page.get_by_label("First name").fill("Nia")
            await page.get_by_role("button", name="Create person").click()
            await page.get_by_label("Message", exact=True).fill("/start")
            await page.get_by_label("Message", exact=True).press("Enter")
            reply = page.locator(".message.incoming").first
            await expect(reply).to_contain_text("Hi Nia! I'm SportsCenter", timeout=15_000)
        finally:
            await browser.close()


@pytest.mark.slow
@pytest.mark.skipif(
    not Path(CHROMIUM).exists() and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (apt-get install -y chromium)",
)
async def test_in_the_web_chat_an_athlete_uploads_a_clip_and_the_analysis_arrives(
    running_bot: str, uow: UnitOfWork, tmp_path: Path
) -> None:
    # The emulator numbers people from 100001: the athlete created below is this user.
    async with uow as tx:
        nia = tx.users.add(
            User(
                role="athlete",
                first_name="Nia",
                telegram_user_id=100001,
                telegram_chat_id=100001,
                onboarded_at=NOW,
            )
        )
        await tx.flush()
        tx.athletes.add(Athlete(user_id=nia.id, primary_sport="athletics"))
        await tx.commit()
    clip = make_clip(tmp_path / "squats.mp4", reps=5, period_s=1.5, size=(320, 240))
    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = await browser.new_page()
            await page.goto(running_bot)
            await page.get_by_label("First name").fill("Nia")
            await page.get_by_role("button", name="Create person").click()
            # The page attaches a file only once the person exists: wait as a person would.
            await expect(page.locator("#me-name")).to_have_text("Nia")
            await page.locator("#file-input").set_input_files(str(clip))
            incoming = page.locator(".message.incoming")
            await expect(incoming.filter(has_text="Got Nia's video")).to_have_count(
                1, timeout=20_000
            )
            # The embedded worker process analyses it; the outbox brings the album.
            analysis = incoming.filter(has_text="Analysis of Nia's video")
            await expect(analysis).to_have_count(1, timeout=60_000)
            await expect(analysis).to_contain_text("Repetitions: 5")
        finally:
            await browser.close()

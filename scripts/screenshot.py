"""Take a screenshot of the emulator's web chat with a short conversation in it.

Starts an Emulator and the SportsCenter bot (settings from the environment, database migrated
first) in this process, lets a person send /start and /help, then opens the web chat in
Debian's headless Chromium and saves a PNG:

    .venv/bin/python scripts/screenshot.py [--out var/screenshots/webchat.png] [--width 1024]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from playwright.async_api import async_playwright
from telegram.ext import Application

from bot.app import build_application
from bot.migrate import migrate
from bot.runner import BOT_NAME
from bot.settings import load_settings
from bot.wiring import build_services
from domain.secrets_box import SecretBox
from telegram_emulator import Emulator
from telegram_emulator.chromium import CHROMIUM, CHROMIUM_ARGS

DEFAULT_OUT = Path("var/screenshots/webchat.png")


@asynccontextmanager
async def sportscenter_bot(emulator: Emulator) -> AsyncIterator[Application]:
    """The real SportsCenter application (settings from the environment), polling the emulator."""
    settings = load_settings()
    await asyncio.to_thread(migrate, settings.database_url, SecretBox(settings.encryption_keys))
    services = build_services(settings)
    app = build_application(
        settings,
        services,
        base_url=emulator.base_url,
        base_file_url=emulator.base_file_url,
        token=emulator.token,
    )
    try:
        async with app:
            await app.start()
            await app.updater.start_polling(poll_interval=0.0, timeout=1)
            try:
                yield app
            finally:
                await app.updater.stop()
                await app.stop()
    finally:
        await services.close()


async def take_screenshot(out: Path, width: int, height: int) -> Path:
    """Run the demo conversation and save the web chat as a PNG at `out`."""
    async with (
        Emulator(limits=False, bot_name=BOT_NAME) as emulator,
        sportscenter_bot(emulator),
    ):
        ana = emulator.user("Ana", username="ana_runs")
        await ana.send("/start")
        await ana.expect_reply(contains="SportsCenter")
        await ana.send("/help")
        last = await ana.expect_reply(contains="/cancel")
        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = await browser.new_page(
                viewport={"width": width, "height": height}, device_scale_factor=1
            )
            await page.goto(f"{emulator.url}/?person={ana.id}")
            await page.get_by_text(last["text"].splitlines()[-1]).wait_for()
            out.parent.mkdir(parents=True, exist_ok=True)
            await page.screenshot(path=str(out))
            await browser.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="where to write the PNG")
    parser.add_argument("--width", type=int, default=1024)
    parser.add_argument("--height", type=int, default=720)
    args = parser.parse_args()
    if not Path(CHROMIUM).exists():
        sys.exit(f"{CHROMIUM} is missing: apt-get install -y chromium")
    print(asyncio.run(take_screenshot(args.out, args.width, args.height)))


if __name__ == "__main__":
    main()

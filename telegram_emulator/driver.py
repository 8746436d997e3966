"""Drive the emulator from Python: start it, create people, act as them, await the bot.

async with Emulator(limits=False, bot_name="Weather Bot") as emulator:
    ana = emulator.user("Ana")
    await ana.send("/start")
    reply = await ana.expect_reply(contains="Welcome")
    await ana.press("Forecast")
"""

from __future__ import annotations

import secrets
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web

from telegram_emulator.client import Client
from telegram_emulator.emulated_user import EmulatedUser
from telegram_emulator.naming import DEFAULT_BOT_NAME
from telegram_emulator.server import EmulatorServer
from telegram_emulator.state_file import StateFile, keep
from telegram_emulator.webhook import WebhookDeliverer
from telegram_emulator.world import Chat, Clock, World

# EmulatedUser lives in its own module; it is imported from here as well.
__all__ = ["EmulatedUser", "Emulator", "new_token"]


def new_token() -> str:
    """A well-formed bot token for the emulator."""
    return f"{secrets.randbelow(9 * 10**9) + 10**9}:{secrets.token_urlsafe(24)}"


class Emulator:
    """An in-process emulator server on 127.0.0.1 with one primary bot.

    The starter brands it: `bot_name` is the bot's first_name (getMe, the web chat's header),
    `bot_username` its @username (derived from the name unless given), `title` the web chat's
    page title (default "<bot_name> · web chat"). With a `state_file`, people, chats, the bot's
    token and every id counter survive a restart (see state_file.py); without one (tests) the
    emulator keeps nothing.
    """

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        limits: bool = True,
        clock: Clock = time.time,
        token: str | None = None,
        local_mode: bool = False,
        bot_name: str = DEFAULT_BOT_NAME,
        bot_username: str | None = None,
        title: str | None = None,
        state_file: Path | str | None = None,
    ) -> None:
        kept = StateFile(state_file) if state_file is not None else None
        saved = kept.load() if kept is not None else None
        self.world = World(clock=clock, limits=limits, bot_name=bot_name)
        self.world.local_mode = local_mode
        # The same bot after a restart: its token (so its id) comes back unless one is given.
        self.token = token or (saved or {}).get("primary_token") or new_token()
        self.world.add_bot(self.token, username=bot_username)
        if kept is not None:
            keep(self.world, kept, self.token, saved)
        self.host = host
        self.port = port
        self.server = EmulatorServer(self.world, primary_token=self.token, title=title)
        self.webhooks: WebhookDeliverer | None = None
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """Root URL: the web chat lives here, the Bot API under /bot<token>/."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """What PTB takes as base_url."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """What PTB takes as base_file_url."""
        return f"{self.url}/file/bot"

    @property
    def bot(self) -> Any:
        """The primary bot's state."""
        return self.world.bot(self.token)

    @property
    def client(self) -> Client:
        """The primary bot seen from its users."""
        return Client(self.bot)

    async def start(self) -> Emulator:
        """Listen (on a free port unless one was given)."""
        self.webhooks = WebhookDeliverer(self.world)
        self._runner = web.AppRunner(self.server.app(), access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port)
        await site.start()
        if self.port == 0:
            self.port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return self

    async def stop(self) -> None:
        """Stop serving and delete uploaded files."""
        if self.webhooks is not None:
            await self.webhooks.close()
        if self._runner is not None:
            await self._runner.cleanup()
        self.world.close()

    async def __aenter__(self) -> Emulator:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def group(self, title: str, members: list[EmulatedUser], *, with_bot: bool = True) -> Chat:
        """A group chat with these people and the bot in it (unless `with_bot` is false: then
        a member adds it with `EmulatedUser.add_bot_to`)."""
        people = [member.person for member in members]
        return self.world.add_group(title, people, with_bots=with_bot)

    def user(
        self,
        first_name: str,
        *,
        username: str | None = None,
        language_code: str | None = "en",
        last_name: str | None = None,
    ) -> EmulatedUser:
        """A new Telegram account to act as."""
        person = self.world.add_person(
            first_name, last_name=last_name, username=username, language_code=language_code
        )
        return EmulatedUser(self, person)

"""Drive the emulator from Python: start it, create people, act as them, await the bot.

async with Emulator(limits=False) as emulator:
    ana = emulator.user("Ana")
    await ana.send("/start")
    reply = await ana.expect_reply(contains="Welcome")
    await ana.press("Book a session")
"""

from __future__ import annotations

import asyncio
import mimetypes
import secrets
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from aiohttp import web

from bot.emulator.client import Client, ClientError, PaymentOutcome
from bot.emulator.server import EmulatorServer
from bot.emulator.webhook import WebhookDeliverer
from bot.emulator.world import Chat, Clock, Event, Json, Person, World

REPLY_KINDS = ("message", "edit")


def new_token() -> str:
    """A well-formed bot token for the emulator."""
    return f"{secrets.randbelow(9 * 10**9) + 10**9}:{secrets.token_urlsafe(24)}"


class Emulator:
    """An in-process emulator server on 127.0.0.1 with one primary bot."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        limits: bool = True,
        clock: Clock = time.time,
        token: str | None = None,
        local_mode: bool = False,
    ) -> None:
        self.world = World(clock=clock, limits=limits)
        self.world.local_mode = local_mode
        self.token = token or new_token()
        self.host = host
        self.port = port
        self.server = EmulatorServer(self.world, primary_token=self.token)
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

    def group(self, title: str, members: list[EmulatedUser]) -> Chat:
        """A group chat with these people and the bot in it."""
        return self.world.add_group(title, [member.person for member in members])

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


class EmulatedUser:
    """One person in their private chat with the primary bot."""

    def __init__(self, emulator: Emulator, person: Person) -> None:
        self.emulator = emulator
        self.person = person
        self._cursor = emulator.world.events[-1].seq if emulator.world.events else 0

    @property
    def id(self) -> int:
        return self.person.id

    @property
    def client(self) -> Client:
        return self.emulator.client

    def _mark_sent(self, message: Json) -> Json:
        # The bot's answer comes after the person's own message; start looking from there.
        mine = [
            e
            for e in self.emulator.world.events
            if e.chat_id == self.id and e.data.get("message_id") == message["message_id"]
        ]
        if mine:
            self._cursor = max(self._cursor, mine[-1].seq)
        return message

    async def send(self, text: str, *, chat: Chat | None = None) -> Json:
        """Send a text message (commands included), privately or in a group."""
        return self._mark_sent(await self.client.send_text(self.person, text, chat))

    async def press(self, label: str, message: Json | None = None) -> Json:
        """Press a button by label on the given message or the newest message carrying it."""
        target = message or self._message_with_button(label)
        return await self.client.press(self.person, target["message_id"], label)

    def _message_with_button(self, label: str) -> Json:
        for message in reversed(self.messages()):
            markup = message.get("client_markup") or message.get("reply_markup") or {}
            rows = markup.get("inline_keyboard", []) + markup.get("keyboard", [])
            if any(button.get("text") == label for row in rows for button in row):
                return message
        raise ClientError(f"no message in the chat has a button labelled {label!r}")

    async def share_contact(self) -> Json:
        """Press a request_contact button's effect: share the own phone number."""
        return self._mark_sent(await self.client.share_contact(self.person))

    async def _send_file(
        self, source: str | Path | bytes, as_kind: str, caption: str | None, filename: str | None
    ) -> Json:
        if isinstance(source, bytes):
            data, name = source, filename or f"{as_kind}.bin"
        else:
            data = await asyncio.to_thread(Path(source).read_bytes)
            name = filename or Path(source).name
        message = await self.client.send_file(
            self.person,
            data,
            filename=name,
            mime_type=mimetypes.guess_type(name)[0],
            caption=caption,
            as_kind=as_kind,
        )
        return self._mark_sent(message)

    async def send_photo(
        self, source: str | Path | bytes, *, caption: str | None = None, filename: str | None = None
    ) -> Json:
        """Upload a picture as a photo."""
        return await self._send_file(source, "photo", caption, filename)

    async def send_video(
        self, source: str | Path | bytes, *, caption: str | None = None, filename: str | None = None
    ) -> Json:
        """Upload a video."""
        return await self._send_file(source, "video", caption, filename)

    async def send_document(
        self, source: str | Path | bytes, *, caption: str | None = None, filename: str | None = None
    ) -> Json:
        """Upload a file as a document."""
        return await self._send_file(source, "document", caption, filename)

    async def pay(self, invoice_message: Json, *, timeout: float = 10.0) -> PaymentOutcome:
        """Pay an invoice the bot sent."""
        return await self.client.pay(self.person, invoice_message["message_id"], timeout=timeout)

    def block_bot(self) -> None:
        """Block the bot."""
        self.client.block(self.person)

    def messages(self) -> list[Json]:
        """The chat as the person sees it now, oldest first."""
        return self.client.transcript(self.id)

    def events(self, kind: str | None = None) -> list[Event]:
        """Everything that happened in this chat (messages, edits, deletions, answers, actions)."""
        return [
            e
            for e in self.emulator.world.events
            if e.chat_id == self.id and (kind is None or e.kind == kind)
        ]

    async def expect(
        self,
        kind: str,
        *,
        timeout: float = 5.0,
        contains: str | None = None,
        chat: Chat | None = None,
    ) -> Json:
        """Wait for the next event of a kind in this chat (or `chat`), after those consumed."""
        kinds = REPLY_KINDS if kind == "reply" else (kind,)
        chat_id = chat.id if chat is not None else self.id
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            for event in self.emulator.world.events:
                if event.seq <= self._cursor or event.chat_id != chat_id:
                    continue
                if event.kind in kinds and _from_bot(event) and _matches(event.data, contains):
                    self._cursor = event.seq
                    return event.data
            remaining = deadline - asyncio.get_running_loop().time()
            if remaining <= 0:
                raise AssertionError(self._timeout_message(kind, contains, timeout))
            await self.emulator.world.wait_events(
                self.emulator.world.events[-1].seq if self.emulator.world.events else 0, remaining
            )

    async def expect_reply(
        self, *, contains: str | None = None, timeout: float = 5.0, chat: Chat | None = None
    ) -> Json:
        """The bot's next message or edit in this chat (optionally containing some text)."""
        return await self.expect("reply", contains=contains, timeout=timeout, chat=chat)

    def _timeout_message(self, kind: str, contains: str | None, timeout: float) -> str:
        seen = [f"{e.kind}: {_text(e.data)!r}" for e in self.events()[-8:]]
        wanted = f"{kind}" + (f" containing {contains!r}" if contains else "")
        return f"no {wanted} from the bot within {timeout}s; last events: {seen}"


def _from_bot(event: Event) -> bool:
    sender = event.data.get("from")
    return sender is None or bool(sender.get("is_bot"))


def _text(data: Json) -> str:
    return str(data.get("text") or data.get("caption") or "")


def _matches(data: Json, contains: str | None) -> bool:
    return contains is None or contains in _text(data)

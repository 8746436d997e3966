"""One person in their chat with the bot (or in a group with it): send, reply, upload, press,
pay, await the bot."""

from __future__ import annotations

import asyncio
import mimetypes
from pathlib import Path
from typing import TYPE_CHECKING

from telegram_emulator.client import Client, ClientError, PaymentOutcome
from telegram_emulator.world import Chat, Event, Json, Person

if TYPE_CHECKING:
    from telegram_emulator.driver import Emulator

REPLY_KINDS = ("message", "edit")


class EmulatedUser:
    """One person in their private chat with the primary bot; `chat=` acts in a group instead."""

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
        chat_id = message["chat"]["id"]
        mine = [
            e
            for e in self.emulator.world.events
            if e.chat_id == chat_id and e.data.get("message_id") == message["message_id"]
        ]
        if mine:
            self._cursor = max(self._cursor, mine[-1].seq)
        return message

    async def send(
        self, text: str, *, chat: Chat | None = None, reply_to: Json | int | None = None
    ) -> Json:
        """Send a text message (commands included), privately or in a group, maybe as a reply."""
        message = await self.client.send_text(
            self.person, text, chat, reply_to=_message_id(reply_to)
        )
        return self._mark_sent(message)

    async def add_bot_to(self, chat: Chat) -> Json:
        """Add the bot to a group this person is in (the bot is told, as on Telegram)."""
        return self._mark_sent(await self.client.add_bot(self.person, chat))

    async def remove_bot_from(self, chat: Chat) -> None:
        """Remove the bot from a group."""
        await self.client.remove_bot(self.person, chat)

    async def press(
        self, label: str, message: Json | None = None, *, chat: Chat | None = None
    ) -> Json:
        """Press a button by label on the given message or the newest message carrying it."""
        target = message or self._message_with_button(label, chat)
        return await self.client.press(self.person, target["message_id"], label, chat)

    def _message_with_button(self, label: str, chat: Chat | None) -> Json:
        for message in reversed(self.messages(chat=chat)):
            markup = message.get("client_markup") or message.get("reply_markup") or {}
            rows = markup.get("inline_keyboard", []) + markup.get("keyboard", [])
            if any(button.get("text") == label for row in rows for button in row):
                return message
        raise ClientError(f"no message in the chat has a button labelled {label!r}")

    async def share_contact(self) -> Json:
        """Press a request_contact button's effect: share the own phone number."""
        return self._mark_sent(await self.client.share_contact(self.person))

    async def share_location(self, latitude: float, longitude: float) -> Json:
        """Press a request_location button's effect: share where one is."""
        return self._mark_sent(await self.client.share_location(self.person, latitude, longitude))

    async def send_contact(self, other: EmulatedUser) -> Json:
        """Send another person's contact card, as attaching a contact from one's address book."""
        return self._mark_sent(await self.client.send_contact(self.person, other.person))

    async def _send_file(
        self,
        source: str | Path | bytes,
        as_kind: str,
        *,
        caption: str | None = None,
        filename: str | None = None,
        reply_to: Json | int | None = None,
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
            reply_to=_message_id(reply_to),
        )
        return self._mark_sent(message)

    async def set_profile_photo(self, source: str | Path | bytes) -> None:
        """Set a new profile photo on the account (a JPEG or PNG picture)."""
        if isinstance(source, bytes):
            data = source
        else:
            data = await asyncio.to_thread(Path(source).read_bytes)
        mime = "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"
        self.emulator.world.set_profile_photo(self.person, data, mime_type=mime)

    def remove_profile_photos(self) -> None:
        """Delete every profile photo of the account."""
        self.emulator.world.remove_profile_photos(self.person)

    async def send_photo(
        self,
        source: str | Path | bytes,
        *,
        caption: str | None = None,
        filename: str | None = None,
        reply_to: Json | int | None = None,
    ) -> Json:
        """Upload a picture as a photo."""
        return await self._send_file(
            source, "photo", caption=caption, filename=filename, reply_to=reply_to
        )

    async def send_video(
        self,
        source: str | Path | bytes,
        *,
        caption: str | None = None,
        filename: str | None = None,
        reply_to: Json | int | None = None,
    ) -> Json:
        """Upload a video; duration and size are read from the file, as Telegram does."""
        return await self._send_file(
            source, "video", caption=caption, filename=filename, reply_to=reply_to
        )

    async def send_animation(
        self,
        source: str | Path | bytes,
        *,
        caption: str | None = None,
        filename: str | None = None,
        reply_to: Json | int | None = None,
    ) -> Json:
        """Send a GIF or a silent clip as an animation (the message also carries `document`)."""
        return await self._send_file(
            source, "animation", caption=caption, filename=filename, reply_to=reply_to
        )

    async def send_voice(
        self,
        source: str | Path | bytes,
        *,
        caption: str | None = None,
        filename: str | None = None,
        reply_to: Json | int | None = None,
    ) -> Json:
        """Send a recording (OGG/Opus, as the apps record) as a voice message."""
        return await self._send_file(
            source, "voice", caption=caption, filename=filename, reply_to=reply_to
        )

    async def send_video_note(
        self,
        source: str | Path | bytes,
        *,
        filename: str | None = None,
        reply_to: Json | int | None = None,
    ) -> Json:
        """Send a round video message; like in the apps, it has no caption."""
        return await self._send_file(source, "video_note", filename=filename, reply_to=reply_to)

    async def send_document(
        self,
        source: str | Path | bytes,
        *,
        caption: str | None = None,
        filename: str | None = None,
        reply_to: Json | int | None = None,
    ) -> Json:
        """Upload a file as a document."""
        return await self._send_file(
            source, "document", caption=caption, filename=filename, reply_to=reply_to
        )

    async def pay(self, invoice_message: Json, *, timeout: float = 10.0) -> PaymentOutcome:
        """Pay an invoice the bot sent."""
        return await self.client.pay(self.person, invoice_message["message_id"], timeout=timeout)

    def block_bot(self) -> None:
        """Block the bot."""
        self.client.block(self.person)

    def messages(self, *, chat: Chat | None = None) -> list[Json]:
        """The chat (the private one, or `chat`) as the person sees it now, oldest first."""
        return self.client.transcript(chat.id if chat is not None else self.id)

    def events(self, kind: str | None = None, *, chat: Chat | None = None) -> list[Event]:
        """Everything that happened in this chat (messages, edits, deletions, answers, actions)."""
        chat_id = chat.id if chat is not None else self.id
        return [
            e
            for e in self.emulator.world.events
            if e.chat_id == chat_id and (kind is None or e.kind == kind)
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


def _message_id(message: Json | int | None) -> int | None:
    """A message given as the object the chat shows, or as its id."""
    return message["message_id"] if isinstance(message, dict) else message


def _from_bot(event: Event) -> bool:
    sender = event.data.get("from")
    return sender is None or bool(sender.get("is_bot"))


def _text(data: Json) -> str:
    return str(data.get("text") or data.get("caption") or "")


def _matches(data: Json, contains: str | None) -> bool:
    return contains is None or contains in _text(data)

"""What the emulated Telegram knows: people, chats, messages, files and each bot's updates."""

from __future__ import annotations

import asyncio
import itertools
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from telegram_emulator.ids import FIRST_PERSON_ID, ID_RESERVE, Ids
from telegram_emulator.limits import FloodControl
from telegram_emulator.media_info import MediaFacts
from telegram_emulator.naming import DEFAULT_BOT_NAME, checked_name, checked_username, username_for

Json = dict[str, Any]
Clock = Callable[[], float]


@dataclass
class Person:
    """A Telegram account a human (or a test) controls."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"
    phone_number: str | None = None
    # file_ids of the account's profile photos, newest first (getUserProfilePhotos).
    profile_photos: list[str] = field(default_factory=list)

    def as_user(self) -> Json:
        """The Bot API User object."""
        user: Json = {"id": self.id, "is_bot": False, "first_name": self.first_name}
        for name in ("last_name", "username", "language_code"):
            if getattr(self, name):
                user[name] = getattr(self, name)
        return user


@dataclass
class Chat:
    """A private chat (id = the person's id) or a group."""

    id: int
    type: str
    title: str | None = None
    person: Person | None = None
    member_ids: set[int] = field(default_factory=set)
    # Bots in a group: None for a group every bot is in (as `add_group` makes them); a set once
    # people add and remove bots themselves (`add_group(with_bots=False)`).
    bot_ids: set[int] | None = None

    def has_bot(self, bot_id: int) -> bool:
        """Whether the bot is in this chat (always, for a private chat)."""
        return self.person is not None or self.bot_ids is None or bot_id in self.bot_ids

    def as_chat(self) -> Json:
        """The Bot API Chat object."""
        if self.person is not None:
            chat = {"id": self.id, "type": "private", "first_name": self.person.first_name}
            if self.person.last_name:
                chat["last_name"] = self.person.last_name
            if self.person.username:
                chat["username"] = self.person.username
            return chat
        return {"id": self.id, "type": self.type, "title": self.title}


@dataclass
class StoredFile:
    """An uploaded file, kept on disk, addressed by file_id."""

    file_id: str
    file_unique_id: str
    path: Path
    size: int
    file_name: str | None = None
    mime_type: str | None = None
    file_path: str | None = None  # set once getFile has been called, like Telegram
    facts: MediaFacts | None = None  # read from the file once, when first needed


@dataclass
class Event:
    """Something a person would see in their chat: a message, an edit, a deletion, ..."""

    seq: int
    kind: str
    chat_id: int
    data: Json


@dataclass
class CallbackQuery:
    """A button press waiting for the bot's answerCallbackQuery."""

    id: str
    chat_id: int
    message_id: int
    created: float
    answered: bool = False
    answer: Json | None = None


@dataclass
class Webhook:
    """setWebhook's configuration and delivery status."""

    url: str
    secret_token: str | None = None
    max_connections: int = 40
    allowed_updates: list[str] | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


class BotState:
    """Everything one bot (one token) sees and has sent."""

    def __init__(
        self, world: World, token: str, bot_id: int, *, first_name: str, username: str
    ) -> None:
        self.world = world
        self.token = token
        self.id = bot_id
        self.first_name = first_name
        self.username = username
        self.updates: list[Json] = []
        self.update_ids = Ids(ahead=ID_RESERVE)
        self.updates_changed = asyncio.Condition()
        self.allowed_updates: list[str] | None = None
        self.poller: object | None = None
        self.webhook: Webhook | None = None
        self.messages: dict[tuple[int, int], Json] = {}
        self.message_ids: dict[int, Ids] = {}
        self.started_by: set[int] = set()
        self.blocked_by: set[int] = set()
        self.commands: dict[tuple[str, str], list[Json]] = {}
        self.menu_buttons: dict[int | None, Json] = {}
        self.callback_queries: dict[str, CallbackQuery] = {}
        self.pre_checkouts: dict[str, asyncio.Future[Json]] = {}
        self.charges: dict[str, Json] = {}
        self.invoice_links: dict[str, Json] = {}

    def as_user(self) -> Json:
        """getMe's answer."""
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def as_sender(self) -> Json:
        """The bot as the `from` of its messages (fewer fields than getMe)."""
        return {
            "id": self.id,
            "is_bot": True,
            "first_name": self.first_name,
            "username": self.username,
        }

    def next_message_id(self, chat_id: int) -> int:
        """Message ids count per chat, as in Telegram's private chats."""
        return self.message_ids.setdefault(chat_id, Ids(ahead=ID_RESERVE)).take(self.world.changed)

    def start_chat(self, person_id: int) -> None:
        """The person wrote to the bot: it may write back, and a block is lifted."""
        if person_id not in self.started_by or person_id in self.blocked_by:
            self.started_by.add(person_id)
            self.blocked_by.discard(person_id)
            self.world.changed()

    def set_blocked(self, person_id: int, blocked: bool) -> None:
        """The person blocks (or unblocks) the bot."""
        if (person_id in self.blocked_by) != blocked:
            (self.blocked_by.add if blocked else self.blocked_by.discard)(person_id)
            self.world.changed()

    def record_charge(self, charge_id: str, charge: Json) -> None:
        """Keep a payment, for refunds (also after a restart)."""
        self.charges[charge_id] = charge
        self.world.changed()

    async def push_update(self, kind: str, payload: Json) -> Json:
        """Queue an update for getUpdates or the webhook."""
        update = {"update_id": self.update_ids.take(self.world.changed), kind: payload}
        async with self.updates_changed:
            self.updates.append(update)
            self.updates_changed.notify_all()
        return update

    def pending(self, offset: int | None, allowed: list[str] | None) -> list[Json]:
        """Updates not yet confirmed, filtered by allowed_updates (empty list = all)."""
        if offset is not None:
            # A non-positive offset counts from the end, as in the Bot API.
            self.updates = (
                self.updates[offset:]
                if offset < 0
                else [u for u in self.updates if u["update_id"] >= offset]
            )
        if not allowed:
            return list(self.updates)
        return [u for u in self.updates if any(kind in u for kind in allowed)]

    def confirm(self, update_id: int) -> None:
        """The webhook took an update: it is no longer pending."""
        # Deliveries finish roughly in order, so the update is found near the front.
        for index, update in enumerate(self.updates):
            if update["update_id"] == update_id:
                del self.updates[index]
                return

    def store_message(self, message: Json) -> Json:
        """Keep a message and tell whoever watches the chat."""
        self.messages[(message["chat"]["id"], message["message_id"])] = message
        return message


class World:
    """All of emulated Telegram: people, chats, files, bots, and a log of visible events."""

    def __init__(
        self,
        *,
        clock: Clock = time.time,
        files_dir: Path | None = None,
        limits: bool = True,
        bot_name: str = DEFAULT_BOT_NAME,
    ) -> None:
        self.clock = clock
        self.bot_name = checked_name(bot_name)  # every bot's first_name unless add_bot says
        self.flood = FloodControl(clock, enabled=limits)
        self.people: dict[int, Person] = {}
        self.chats: dict[int, Chat] = {}
        self.bots: dict[str, BotState] = {}
        self.files: dict[str, StoredFile] = {}
        self.file_paths: dict[str, StoredFile] = {}
        # The local Bot API server (TELEGRAM_LOCAL_MODE) serves files of any size.
        self.local_mode = False
        self._tmp = None if files_dir else tempfile.TemporaryDirectory(prefix="tg-emulator-")
        self.files_dir = files_dir or Path(self._tmp.name)  # type: ignore[union-attr]
        self.person_ids = Ids(last=FIRST_PERSON_ID - 1)
        self.group_ids = Ids()
        self.events: list[Event] = []
        self._seq = itertools.count(1)
        self.events_changed = asyncio.Condition()
        self.on_webhook_change: Callable[[BotState], None] | None = None
        # Set by whoever keeps the world across restarts (state_file.keep): called after every
        # change that must survive one.
        self.on_change: Callable[[], None] | None = None

    def changed(self) -> None:
        """People, chats or ids changed: let the state file (if any) write them."""
        if self.on_change is not None:
            self.on_change()

    def webhooks_changed(self, bot: BotState) -> None:
        """Tell the webhook deliverer that a bot's webhook was set or removed."""
        if self.on_webhook_change is not None:
            self.on_webhook_change(bot)

    def now(self) -> int:
        """Unix time as Telegram stamps messages."""
        return int(self.clock())

    def bot(self, token: str) -> BotState:
        """The bot for a token; any well-formed token gets a bot on first use."""
        return self.bots.get(token) or self.add_bot(token)

    def add_bot(
        self, token: str, *, first_name: str | None = None, username: str | None = None
    ) -> BotState:
        """Register a bot under its token, named as given (else World's name and a derived one)."""
        bot_id = int(token.split(":", 1)[0])
        name = checked_name(first_name) if first_name else self.bot_name
        state = BotState(
            self,
            token,
            bot_id,
            first_name=name,
            username=checked_username(username) if username else username_for(name, bot_id),
        )
        self.bots[token] = state
        return state

    def add_person(
        self,
        first_name: str,
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        person_id: int | None = None,
    ) -> Person:
        """Create a Telegram account with its private chat; ids are never given out twice."""
        if person_id is None:
            person_id = self.person_ids.last + 1
        elif person_id in self.people:
            raise ValueError(f"person {person_id} exists already")
        self.person_ids.resume_after(person_id)
        person = Person(person_id, first_name, last_name, username, language_code)
        self.people[person.id] = person
        self.chats[person.id] = Chat(person.id, "private", person=person)
        self.changed()
        return person

    def add_group(self, title: str, members: list[Person], *, with_bots: bool = True) -> Chat:
        """Create a group chat (negative id, as on Telegram), with every bot in it unless
        `with_bots` is false: then a member adds a bot (`Client.add_bot`)."""
        self.group_ids.resume_after(self.group_ids.last + 1)
        chat = Chat(
            -self.group_ids.last,
            "group",
            title=title,
            member_ids={m.id for m in members},
            bot_ids=None if with_bots else set(),
        )
        self.chats[chat.id] = chat
        self.changed()
        return chat

    async def emit(self, kind: str, chat_id: int, data: Json) -> Event:
        """Record what a person would see and wake whoever is waiting for it."""
        event = Event(next(self._seq), kind, chat_id, data)
        async with self.events_changed:
            self.events.append(event)
            self.events_changed.notify_all()
        return event

    async def wait_events(self, after: int, timeout: float) -> list[Event]:
        """Events with seq > after, waiting up to `timeout` seconds for the first one."""
        if self._last_seq() <= after:
            async with self.events_changed:
                try:
                    await asyncio.wait_for(
                        self.events_changed.wait_for(lambda: self._last_seq() > after), timeout
                    )
                except TimeoutError:
                    return []
        return [e for e in self.events if e.seq > after]

    def _last_seq(self) -> int:
        return self.events[-1].seq if self.events else 0

    def save_file(self, data: bytes, *, file_name: str | None, mime_type: str | None) -> StoredFile:
        """Store uploaded bytes and give them ids."""
        unique = secrets.token_hex(8)
        file_id = f"EMU{unique}{secrets.token_hex(12)}"
        path = self.files_dir / unique
        path.write_bytes(data)
        stored = StoredFile(file_id, unique, path, len(data), file_name, mime_type)
        self.files[file_id] = stored
        return stored

    def set_profile_photo(self, person: Person, data: bytes, *, mime_type: str) -> StoredFile:
        """Give the person a new profile photo (the newest comes first, as on Telegram)."""
        stored = self.save_file(data, file_name=None, mime_type=mime_type)
        person.profile_photos.insert(0, stored.file_id)
        self.changed()
        return stored

    def remove_profile_photos(self, person: Person) -> None:
        """The person deletes every profile photo."""
        person.profile_photos.clear()
        self.changed()

    def close(self) -> None:
        """Remove uploaded files."""
        if self._tmp is not None:
            self._tmp.cleanup()

"""PTB persistence in Redis, as JSON, so a restart mid-conversation picks up where it was.

Layout (see docs/schema.md, "Redis keys"):
- `session:{userId}`: a hash per Telegram user with their `user_data` (field `user_data`) and
  the state of each of their conversations (field `conv:["<name>", <key as a JSON list>]`).
  Every write renews its TTL, so a person who has not written for `SESSION_TTL_S` is forgotten.
- `chat:{chatId}`: one chat's `chat_data`, same TTL.
- `bot:data` and `bot:callback_data`: `bot_data` and the inline-button cache, no TTL.

Only JSON goes in (no pickle): user_data, chat_data and conversation states must be JSON values
with string keys. UUIDs, dates and Decimals are written as strings and come back as strings.

Writes are write-through (the application flushes after every update, see `bot.app`), and
only of what changed: a polling bot, the only process of its bot, knows from its start-up read
which slots hold anything, so a new person's empty data costs no write. When
Redis is unavailable a write is kept and retried with the next one rather than raised: PTB
would report it as an error every second of the outage, and the state is still in memory.

Reads are fresh: before each update PTB asks to refresh its user's data, and their session
hash is read again, user_data and conversation states together, so that an update handled by
any replica continues from what another replica saved. PTB keeps conversation states in the
conversation handlers, not here; the application hands their mapping over at start
(`watch_conversations`). The bot takes the user's turn first (`bot.user_turns`), so no other
process changes the hash between this read and the save that ends the update. A polling bot is
the only process of its bot (`shared_state=False`): what it holds is current, and it reads
nothing before an update.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import UserDict, defaultdict
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass, field
from typing import Any

import redis.asyncio as aioredis
from telegram.ext import BasePersistence, ConversationHandler, PersistenceInput

from domain.adapters.cache import REDIS_UNAVAILABLE, RedisKeys, encode_json

logger = logging.getLogger(__name__)

SESSION_TTL_S = 30 * 24 * 3600
USER_DATA_FIELD = b"user_data"
CONVERSATION_FIELD_PREFIX = b"conv:"
_SCAN_BATCH = 500

Data = dict[Any, Any]
# PTB's own aliases live in a private module; these are the same shapes.
ConversationKey = tuple[int | str, ...]
ConversationDict = dict[ConversationKey, object]
# What the application holds per conversation name: PTB's TrackingDict, a UserDict whose `data`
# changes without counting as a write to persist.
ConversationStates = Mapping[str, UserDict[ConversationKey, object]]
CDCData = tuple[list[tuple[str, float, dict[str, Any]]], dict[str, str]]


@dataclass
class _Sessions:
    """Everything read from the `session:*` hashes at start-up."""

    user_data: dict[int, Data] = field(default_factory=dict)
    conversations: dict[str, dict[ConversationKey, object]] = field(
        default_factory=lambda: defaultdict(dict)
    )


class RedisPersistence(BasePersistence[Data, Data, Data]):
    """Stores user, chat, bot and callback data and conversation states in Redis as JSON."""

    def __init__(
        self,
        redis: aioredis.Redis,
        keys: RedisKeys,
        *,
        update_interval: float = 1.0,
        session_ttl_s: int = SESSION_TTL_S,
        timeout_s: float = 1.0,
        shared_state: bool = True,
    ) -> None:
        super().__init__(store_data=PersistenceInput(), update_interval=update_interval)
        self._shared_state = shared_state
        self._redis = redis
        self._keys = keys
        self._ttl_s = session_ttl_s
        self._timeout_s = timeout_s
        # Which element of each conversation's key is the user id (see track_conversation).
        self._user_position: dict[str, int] = {}
        self._sessions: _Sessions | None = None
        self._pending: dict[Hashable, Callable[[], Awaitable[object]]] = {}
        self._write_lock = asyncio.Lock()
        self._last_written: dict[str, bytes] = {}
        # What each slot last saved (None: deleted), so unchanged data is not written again.
        self._saved: dict[Hashable, bytes | None] = {}
        # Kinds of slot ("user", "conv", "chat") read in full at start-up by the only process
        # of its bot: a slot of theirs not in `_saved` holds nothing, and emptying it is no write.
        self._known_kinds: set[str] = set()
        self._values: dict[Hashable, bytes | None] = {}
        self._redis_down = False
        self._conversation_states: ConversationStates = {}
        # Per user, the (conversation, key) pairs this process may hold a state for.
        self._conversation_keys: dict[int, set[tuple[str, ConversationKey]]] = defaultdict(set)

    def watch_conversations(self, states: ConversationStates) -> None:
        """Hold the application's conversation states, to refresh a user's before an update."""
        self._conversation_states = states

    def track_conversation(self, handler: ConversationHandler[Any]) -> None:
        """Learn where the user id sits in the keys of `handler` and of flows nested in it."""
        if handler.persistent:
            if not handler.per_user:
                # The state is filed under its user's session; a key without a user has no home.
                raise ValueError(f"persistent conversation {handler.name!r} must be per_user")
            # PTB builds keys as (chat_id if per_chat, user_id if per_user, message if per_message).
            self._user_position[str(handler.name)] = 1 if handler.per_chat else 0
        for state_handlers in handler.states.values():
            for nested in state_handlers:
                if isinstance(nested, ConversationHandler):
                    self.track_conversation(nested)

    # --- loading, once at start-up -----------------------------------------------------------

    async def get_user_data(self) -> dict[int, Data]:
        """Every user's user_data, from their session hashes."""
        return dict((await self._load_sessions()).user_data)

    async def get_conversations(self, name: str) -> ConversationDict:
        """The saved states of conversation `name`, by conversation key."""
        return dict((await self._load_sessions()).conversations.get(name, {}))

    async def get_chat_data(self) -> dict[int, Data]:
        """Every chat's chat_data."""
        found: dict[int, Data] = {}
        try:
            keys = await self._scan(self._keys.all_chat_states())
            for batch in _batches(keys):
                for key, raw in zip(batch, await self._redis.mget(batch), strict=True):
                    chat_id, data = _id_of(key), _json_object(raw)
                    if chat_id is not None:
                        self._saved[("chat", chat_id)] = raw
                    if chat_id is not None and data is not None:
                        found[chat_id] = data
        except REDIS_UNAVAILABLE as err:
            logger.error("chat data not loaded, Redis unavailable: %r", err)
            return found
        self._know_in_full("chat")
        return found

    async def get_bot_data(self) -> Data:
        """The bot-wide data."""
        raw = await self._read(self._keys.bot_state())
        self._last_written[self._keys.bot_state()] = raw or b"{}"
        return _json_object(raw) or {}

    async def get_callback_data(self) -> CDCData | None:
        """The inline-button cache, as PTB's (buttons, queries) pair, or None if never saved."""
        raw = await self._read(self._keys.callback_state())
        if raw is None:
            return None
        self._last_written[self._keys.callback_state()] = raw
        buttons, queries = json.loads(raw)
        return [(button_id, at, data) for button_id, at, data in buttons], queries

    # --- writing, after every update ---------------------------------------------------------

    async def update_user_data(self, user_id: int, data: Data) -> None:
        """Save one user's user_data into their session hash."""
        value = encode_json(data) if data else None
        await self._write(
            ("user", user_id), self._save_field(user_id, USER_DATA_FIELD, value), value
        )

    async def drop_user_data(self, user_id: int) -> None:
        """Delete one user's user_data (their conversations stay)."""
        await self._write(("user", user_id), self._save_field(user_id, USER_DATA_FIELD, None), None)

    async def update_conversation(
        self, name: str, key: ConversationKey, new_state: object | None
    ) -> None:
        """Save (or, for None, end) one conversation's state in its user's session hash."""
        user_id = self._user_of(name, key)
        value = None if new_state is None else encode_json(new_state)
        if new_state is None:
            self._conversation_keys[user_id].discard((name, key))
        else:
            self._conversation_keys[user_id].add((name, key))
        field_name = _conversation_field(name, key)
        await self._write(("conv", name, key), self._save_field(user_id, field_name, value), value)

    async def update_chat_data(self, chat_id: int, data: Data) -> None:
        """Save one chat's chat_data; an empty one is deleted rather than stored."""
        key = self._keys.chat_state(chat_id)
        if not data:
            await self._write(("chat", chat_id), lambda: self._redis.delete(key), None)
            return
        value = encode_json(data)
        await self._write(
            ("chat", chat_id), lambda: self._redis.set(key, value, ex=self._ttl_s), value
        )

    async def drop_chat_data(self, chat_id: int) -> None:
        """Delete one chat's chat_data."""
        key = self._keys.chat_state(chat_id)
        await self._write(("chat", chat_id), lambda: self._redis.delete(key), None)

    async def update_bot_data(self, data: Data) -> None:
        """Save the bot-wide data if it changed since it was last saved."""
        await self._write_global(self._keys.bot_state(), encode_json(data))

    async def update_callback_data(self, data: CDCData) -> None:
        """Save the inline-button cache if it changed since it was last saved."""
        await self._write_global(self._keys.callback_state(), encode_json(data))

    async def refresh_user_data(self, user_id: int, user_data: Data) -> None:
        """Read the user's data and conversation states again: another replica may have
        moved them on since this process last saw them."""
        if not self._shared_state:
            return  # the only process of this bot: what it holds is current
        if self._pending:
            return  # writes held back while Redis was down: what this process holds is newer
        try:
            async with asyncio.timeout(self._timeout_s):
                fields = await self._redis.hgetall(self._keys.session(user_id))
        except REDIS_UNAVAILABLE as err:
            logger.warning("user %s state not refreshed, Redis unavailable: %r", user_id, err)
            return
        fresh = _Sessions()
        _read_session(fresh, user_id, fields)
        user_data.clear()
        user_data.update(fresh.user_data.get(user_id, {}))
        # What Redis holds now is what a write would compare with.
        self._saved[("user", user_id)] = fields.get(USER_DATA_FIELD)
        self._refresh_conversations(user_id, fresh.conversations)

    # Chat and bot data are not read again: no flow keeps anything in them (docs/schema.md).

    async def refresh_chat_data(self, chat_id: int, chat_data: Data) -> None:
        """Nothing to refresh: this process holds the current data."""

    async def refresh_bot_data(self, bot_data: Data) -> None:
        """Nothing to refresh: this process holds the current data."""

    async def flush(self) -> None:
        """Write whatever an outage held back; called by PTB on shutdown."""
        await self._drain()
        if self._pending:
            logger.error("%d state writes lost, Redis still unavailable", len(self._pending))

    # --- internals ---------------------------------------------------------------------------

    async def _load_sessions(self) -> _Sessions:
        # One scan serves get_user_data and every conversation's get_conversations at start-up.
        if self._sessions is not None:
            return self._sessions
        sessions = _Sessions()
        try:
            keys = await self._scan(self._keys.all_sessions())
            for batch in _batches(keys):
                async with self._redis.pipeline(transaction=False) as pipe:
                    for key in batch:
                        pipe.hgetall(key)
                    hashes = await pipe.execute()
                for key, fields in zip(batch, hashes, strict=True):
                    if (user_id := _id_of(key)) is not None:
                        self._saved[("user", user_id)] = fields.get(USER_DATA_FIELD)
                    _read_session(sessions, user_id, fields)
            for name, states in sessions.conversations.items():
                for conversation_key, state in states.items():
                    user = self._user_of(name, conversation_key)
                    self._conversation_keys[user].add((name, conversation_key))
                    self._saved[("conv", name, conversation_key)] = encode_json(state)
        except REDIS_UNAVAILABLE as err:
            logger.error("sessions not loaded, starting without them; Redis unavailable: %r", err)
            return sessions
        self._know_in_full("user", "conv")
        self._sessions = sessions
        return sessions

    def _know_in_full(self, *kinds: str) -> None:
        # Only the one process of its bot may trust a start-up read for good: replicas change
        # each other's slots (theirs are read again before each update, see refresh_user_data).
        if not self._shared_state:
            self._known_kinds.update(kinds)

    def _never_saved(self, slot: Hashable) -> bool:
        """Whether Redis is known to hold nothing in a slot this process has not written."""
        return isinstance(slot, tuple) and slot[0] in self._known_kinds and slot not in self._saved

    def _user_of(self, name: str, key: ConversationKey) -> int:
        return int(key[self._user_position.get(name, 1 if len(key) > 1 else 0)])

    def _refresh_conversations(
        self, user_id: int, fresh: dict[str, dict[ConversationKey, object]]
    ) -> None:
        known = self._conversation_keys[user_id]
        stored = {(name, key) for name, states in fresh.items() for key in states}
        for name, key in known | stored:
            states = self._conversation_states.get(name)
            if states is None:
                continue
            state = fresh.get(name, {}).get(key)
            # Set and deleted on `data`: a state read is not a change to write back.
            if state is None or state == ConversationHandler.END:
                states.data.pop(key, None)
                known.discard((name, key))
                self._saved[("conv", name, key)] = None
            else:
                states.data[key] = state
                known.add((name, key))
                self._saved[("conv", name, key)] = encode_json(state)

    async def _scan(self, pattern: str) -> list[bytes]:
        return [key async for key in self._redis.scan_iter(pattern, count=_SCAN_BATCH)]

    async def _read(self, key: str) -> bytes | None:
        try:
            async with asyncio.timeout(self._timeout_s):
                return await self._redis.get(key)
        except REDIS_UNAVAILABLE as err:
            logger.error("%s not loaded, Redis unavailable: %r", key, err)
            return None

    def _save_field(
        self, user_id: int, field_name: bytes, value: bytes | None
    ) -> Callable[[], Awaitable[object]]:
        key = self._keys.session(user_id)

        async def save() -> None:
            async with self._redis.pipeline(transaction=True) as pipe:
                if value is None:
                    pipe.hdel(key, field_name)
                else:
                    pipe.hset(key, field_name, value)
                pipe.expire(key, self._ttl_s)
                await pipe.execute()

        return save

    async def _write_global(self, key: str, value: bytes) -> None:
        # PTB hands bot_data over on every flush; unchanged, it is not worth a round trip.
        if self._last_written.get(key) == value:
            return
        self._last_written[key] = value
        await self._write(key, lambda: self._redis.set(key, value), value)

    async def _write(
        self, slot: Hashable, write: Callable[[], Awaitable[object]], value: bytes | None
    ) -> None:
        # PTB hands over every touched user's and chat's data after each update; what Redis
        # already holds is not worth a round trip. (A session hash's TTL is renewed by any
        # write to it, so a user active only in reads expires 30 days after the last change.)
        # Emptying a slot that never held anything (a new user's empty user_data) is no write.
        if slot not in self._pending and (
            (slot in self._saved and self._saved[slot] == value)
            or (value is None and self._never_saved(slot))
        ):
            return
        # Loaded sessions are only a start-up cache; once anything changes they are stale.
        self._sessions = None
        self._values[slot] = value
        # A newer write to the same slot replaces an older one still waiting for Redis.
        self._pending[slot] = write
        await self._drain()

    async def _drain(self) -> None:
        async with self._write_lock:
            for slot, write in list(self._pending.items()):
                try:
                    async with asyncio.timeout(self._timeout_s):
                        await write()
                except REDIS_UNAVAILABLE as err:
                    if not self._redis_down:
                        logger.warning("state writes held back, Redis unavailable: %r", err)
                    self._redis_down = True
                    return
                if self._pending.get(slot) is write:
                    del self._pending[slot]
                    self._saved[slot] = self._values.pop(slot, None)
            if self._redis_down:
                logger.warning("Redis is back, held-back state writes saved")
                self._redis_down = False


def _conversation_field(name: str, key: ConversationKey) -> bytes:
    return CONVERSATION_FIELD_PREFIX + json.dumps([name, list(key)]).encode()


def _read_session(sessions: _Sessions, user_id: int | None, fields: dict[bytes, bytes]) -> None:
    if user_id is None:
        return
    for field_name, raw in fields.items():
        if field_name == USER_DATA_FIELD:
            if (data := _json_object(raw)) is not None:
                sessions.user_data[user_id] = data
        elif field_name.startswith(CONVERSATION_FIELD_PREFIX):
            name, key = json.loads(field_name.removeprefix(CONVERSATION_FIELD_PREFIX))
            sessions.conversations[name][tuple(key)] = json.loads(raw)


def _json_object(raw: bytes | None) -> Data | None:
    if raw is None:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        logger.warning("ignoring a saved state that is not JSON")
        return None
    return value if isinstance(value, dict) else None


def _id_of(key: bytes) -> int | None:
    # Keys end in ":{id}" and ids never contain ':' (RedisKeys refuses them).
    tail = key.rsplit(b":", 1)[-1]
    try:
        return int(tail)
    except ValueError:
        return None


def _batches(keys: list[bytes]) -> list[list[bytes]]:
    return [keys[start : start + _SCAN_BATCH] for start in range(0, len(keys), _SCAN_BATCH)]

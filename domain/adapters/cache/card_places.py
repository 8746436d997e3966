"""Where a chat shows a session's card, so that news about the session can refresh it in place.

One hash per chat (`card:{chatId}`), a field per session: the card's message and whether it
carries buttons or is a caption. The key lives until a little after the last remembered
session ends; a field of a session long over is dropped at the next write. Losing it only means
a card is not refreshed, so every Redis failure is logged and swallowed.
"""

from __future__ import annotations

import json
import logging
import uuid
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta

import redis.asyncio as aioredis

from domain.adapters.cache.client import REDIS_UNAVAILABLE
from domain.adapters.cache.keys import RedisKeys

log = logging.getLogger(__name__)
# A payment can arrive a while after the session: its card is still worth refreshing then.
KEPT_AFTER_END = timedelta(days=2)


@dataclass(frozen=True)
class CardPlace:
    """The message that shows a session's card, and how it was shown."""

    message_id: int
    buttons: bool
    caption: bool


class CardPlaces:
    """Remembers and finds the message each chat shows a session's card in."""

    def __init__(self, redis: aioredis.Redis, keys: RedisKeys) -> None:
        self._redis = redis
        self._keys = keys

    async def remember(
        self, chat_id: int, session_id: uuid.UUID, place: CardPlace, *, ends: datetime
    ) -> None:
        """Note that `place` in `chat_id` now shows the session's card (ending at `ends`)."""
        key, until = self._keys.session_cards(chat_id), ends + KEPT_AFTER_END
        value = json.dumps({**asdict(place), "until": until.timestamp()})
        try:
            stale = [f for f, raw in (await self._redis.hgetall(key)).items() if _over(raw)]
            async with self._redis.pipeline(transaction=True) as pipe:
                if stale:
                    pipe.hdel(key, *stale)
                pipe.hset(key, str(session_id), value)
                # Never shortens the key: other cards in the chat may end later.
                pipe.expireat(key, until, gt=True)
                pipe.expireat(key, until, nx=True)
                await pipe.execute()
        except REDIS_UNAVAILABLE as err:
            log.warning("could not remember the card of session %s: %r", session_id, err)

    async def place_of(self, chat_id: int, session_id: uuid.UUID) -> CardPlace | None:
        """Where the chat shows the session's card, if it still does."""
        try:
            raw = await self._redis.hget(self._keys.session_cards(chat_id), str(session_id))
        except REDIS_UNAVAILABLE as err:
            log.warning("could not find the card of session %s: %r", session_id, err)
            return None
        if raw is None:
            return None
        fields = json.loads(raw)
        return CardPlace(
            int(fields["message_id"]), bool(fields["buttons"]), bool(fields["caption"])
        )

    async def forget_message(self, chat_id: int, message_id: int) -> None:
        """The message shows something else now: no card is to be refreshed in it."""
        key = self._keys.session_cards(chat_id)
        try:
            shown = await self._redis.hgetall(key)
            gone = [f for f, raw in shown.items() if json.loads(raw)["message_id"] == message_id]
            if gone:
                await self._redis.hdel(key, *gone)
        except REDIS_UNAVAILABLE as err:
            log.warning("could not forget the card in message %s: %r", message_id, err)


def _over(raw: bytes) -> bool:
    return float(json.loads(raw)["until"]) < datetime.now(UTC).timestamp()

"""One user's updates one at a time across every bot process: a lease per user in Redis.

Telegram sends a chat's messages to the webhook one at a time and in order, but a button
press travels in a queue of its own, a redelivery (after a timeout) can arrive while the first
copy is still being handled, and during a deploy an old process finishes its updates while a
new one takes the next. Whichever replica gets a user's update therefore takes the user's turn
first: it reads their state, handles the update and saves, and only then lets the next one in.

The turn is a key holding a random token, set with NX and a short lease that its holder renews
while it works, so a replica that dies mid-update blocks that user for one lease at most. A
waiter polls (the wait is rare: Telegram itself does not send one chat two updates at once).
Like the update claim, the turn fails open: with Redis down updates run without it.

A polling bot is one process by Telegram's rule (a second getUpdates consumer is refused), and
`PerUserUpdates` already keeps each user's updates in order inside it: its turns are not shared
(`shared=False`) and cost no Redis call. Only a webhook bot may run as several replicas.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable

import redis.asyncio as aioredis
from telegram import Update

from domain.adapters.cache import REDIS_UNAVAILABLE, RedisKeys

logger = logging.getLogger(__name__)

LEASE_S = 15.0
FIRST_WAIT_S = 0.002
LONGEST_WAIT_S = 0.05
_REDIS_TIMEOUT_S = 0.5

# Delete or renew the turn only while it is still ours: a lapsed lease may have a new holder.
_RELEASE = "if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end"
_RENEW = (
    "if redis.call('GET', KEYS[1]) == ARGV[1] then "
    "return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end"
)


def owner_of(update: object) -> int | None:
    """Whose turn an update takes: its user's, else its chat's; None for neither."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return update.effective_user.id
    return update.effective_chat.id if update.effective_chat is not None else None


class UserTurns:
    """Hands out each user's turn to one update at a time, whichever process it is in."""

    def __init__(
        self,
        redis: aioredis.Redis,
        keys: RedisKeys,
        *,
        lease_s: float = LEASE_S,
        shared: bool = True,
    ) -> None:
        self._redis = redis
        self._shared = shared
        self._keys = keys
        self._lease_ms = int(lease_s * 1000)
        # Renewed well inside the lease, so a busy event loop does not lose it.
        self._renew_every_s = lease_s / 3
        self._release = redis.register_script(_RELEASE)
        self._renew = redis.register_script(_RENEW)
        self._held: set[int] = set()

    def holds(self, user_id: int) -> bool:
        """Whether this process holds `user_id`'s turn now (not when Redis was unavailable);
        always, when no other process can have it."""
        return not self._shared or user_id in self._held

    @contextlib.asynccontextmanager
    async def turn(self, user_id: int | None) -> AsyncIterator[None]:
        """Wait for `user_id`'s turn and hold it for the block (None: no one's, no wait)."""
        if user_id is None or not self._shared:
            yield
            return
        key, token = self._keys.user_turn(user_id), secrets.token_hex(8)
        # Without Redis (down, or too slow to answer) the update goes on without the turn
        # rather than stall the bot; the release still runs, in case the SET did land.
        keeper = None
        if await self._take(key, token):
            keeper = asyncio.get_running_loop().create_task(self._keep(key, token))
            self._held.add(user_id)
        try:
            yield
        finally:
            if keeper is not None:
                keeper.cancel()
                self._held.discard(user_id)
            await _quietly("release", key, self._release(keys=[key], args=[token]))

    async def _take(self, key: str, token: str) -> bool:
        wait = FIRST_WAIT_S
        while True:
            try:
                async with asyncio.timeout(_REDIS_TIMEOUT_S):
                    if await self._redis.set(key, token, nx=True, px=self._lease_ms):
                        return True
            except REDIS_UNAVAILABLE as err:
                logger.warning("user turn %s skipped, Redis unavailable: %r", key, err)
                return False
            await asyncio.sleep(wait)
            wait = min(wait * 2, LONGEST_WAIT_S)

    async def _keep(self, key: str, token: str) -> None:
        while True:
            await asyncio.sleep(self._renew_every_s)
            await _quietly("renew", key, self._renew(keys=[key], args=[token, self._lease_ms]))


async def _quietly(action: str, key: str, command: Awaitable[object]) -> None:
    try:
        async with asyncio.timeout(_REDIS_TIMEOUT_S):
            await command
    except REDIS_UNAVAILABLE as err:
        logger.warning("user turn %s failed for %s, Redis unavailable: %r", action, key, err)

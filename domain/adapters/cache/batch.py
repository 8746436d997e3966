"""Commands of concurrent callers sent together: one pipeline, one round trip.

Every update makes two Redis calls of its own, its admission and then its done mark, and under
load dozens of updates make them at the same moment. Sent one by one, each paid a round trip
and redis-py's work around a call (a pooled connection's checkout, retries, the reply's parse),
which cost far more CPU than the command itself. Here a command goes at once when nothing is in
flight (an idle bot waits for no one); otherwise it waits for the batch in flight and goes with
everything that queued meanwhile.

Commands in one batch are independent: each gets its own reply or error, in the order sent, as
if sent alone (no transaction; a script keeps its own atomicity).
"""

from __future__ import annotations

import asyncio
from typing import Any
from weakref import WeakKeyDictionary

import redis.asyncio as aioredis

_BATCHES: WeakKeyDictionary[aioredis.Redis, CommandBatch] = WeakKeyDictionary()


def batch_of(redis: aioredis.Redis) -> CommandBatch:
    """The batch of commands sent through `redis`, shared by everyone using that client."""
    batch = _BATCHES.get(redis)
    if batch is None:
        batch = _BATCHES[redis] = CommandBatch(redis)
    return batch


class CommandBatch:
    """Sends queued commands in one pipeline at a time; `call` returns one command's reply."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self._queued: list[tuple[tuple[Any, ...], asyncio.Future[Any]]] = []
        self._sender: asyncio.Task[None] | None = None

    async def call(self, *command: Any) -> Any:
        """Send `command` (as `execute_command` takes it) with the next batch; its reply, or its
        error raised here."""
        future = asyncio.get_running_loop().create_future()
        self._queued.append((command, future))
        if self._sender is None:
            # A task of its own: a caller that gives up (its timeout) must not stop the batch
            # that carries everyone else's commands.
            self._sender = asyncio.get_running_loop().create_task(self._send_queued())
        return await future

    async def _send_queued(self) -> None:
        try:
            while self._queued:
                batch, self._queued = self._queued, []
                await self._send(batch)
        finally:
            self._sender = None
            for _, future in self._queued:  # left by a cancelled sender (the loop is closing)
                future.cancel()
            self._queued = []

    async def _send(self, batch: list[tuple[tuple[Any, ...], asyncio.Future[Any]]]) -> None:
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for command, _ in batch:
                    pipe.execute_command(*command)
                replies = await pipe.execute(raise_on_error=False)
        except asyncio.CancelledError:
            for _, future in batch:
                future.cancel()
            raise
        except Exception as err:  # Redis down or too slow: every command of the batch failed
            for _, future in batch:
                if not future.done():
                    future.set_exception(err)
            return
        for (_, future), reply in zip(batch, replies, strict=True):
            if future.done():  # its caller stopped waiting
                continue
            if isinstance(reply, Exception):
                future.set_exception(reply)
            else:
                future.set_result(reply)

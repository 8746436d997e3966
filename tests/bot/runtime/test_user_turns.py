"""A user's turn in Redis: one holder at a time, a dead holder's lease lapses, Redis down
lets updates through."""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis

from bot.user_turns import UserTurns
from domain.adapters.cache import RedisKeys


async def test_a_turn_held_by_a_replica_that_died_is_taken_once_its_lease_lapses(
    redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    # A replica killed mid-update leaves its turn behind, with a lease it no longer renews.
    await redis_client.set(keys.user_turn(7), b"dead-replica", px=300)
    turns = UserTurns(redis_client, keys)
    loop = asyncio.get_running_loop()
    began = loop.time()

    async with turns.turn(7):
        waited = loop.time() - began

    assert 0.2 < waited < 2.0
    assert await redis_client.exists(keys.user_turn(7)) == 0


async def test_a_holder_keeps_its_turn_past_the_lease_while_it_works(
    redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    holder, other = UserTurns(redis_client, keys, lease_s=0.3), UserTurns(redis_client, keys)
    order: list[str] = []

    async def slow() -> None:
        async with holder.turn(7):
            await asyncio.sleep(0.8)  # well past the lease: renewed meanwhile
            order.append("slow done")

    async def next_update() -> None:
        await asyncio.sleep(0.05)
        async with other.turn(7):
            order.append("next")

    await asyncio.gather(slow(), next_update())

    assert order == ["slow done", "next"]


async def test_with_redis_down_updates_go_on_without_a_turn(
    dead_redis: aioredis.Redis, keys: RedisKeys
) -> None:
    turns = UserTurns(dead_redis, keys)

    async with asyncio.timeout(5), turns.turn(7):
        pass

import asyncio

import pytest
import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from domain.adapters.cache import REDIS_UNAVAILABLE, RateLimiter, RedisKeys
from domain.adapters.cache.batch import CommandBatch, batch_of


class CountedPipelines:
    """Counts the pipelines a client sends, i.e. the batches' round trips."""

    def __init__(self, client: aioredis.Redis, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sizes: list[int] = []
        real = client.pipeline

        def pipeline(*args, **kwargs):
            pipe = real(*args, **kwargs)
            execute = pipe.execute

            async def counted(*a, **kw):
                self.sizes.append(len(pipe.command_stack))
                return await execute(*a, **kw)

            pipe.execute = counted
            return pipe

        monkeypatch.setattr(client, "pipeline", pipeline)


async def test_commands_made_together_go_in_one_round_trip_each_with_its_own_reply(
    redis_client: aioredis.Redis, keys: RedisKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted = CountedPipelines(redis_client, monkeypatch)
    batch = CommandBatch(redis_client)
    names = [keys.ratelimit(n, "batch") for n in range(20)]

    replies = await asyncio.gather(*(batch.call("INCRBY", name, n) for n, name in enumerate(names)))

    assert replies == list(range(20))
    assert counted.sizes == [20]


async def test_commands_queued_behind_a_batch_in_flight_go_together_in_the_next(
    redis_client: aioredis.Redis, keys: RedisKeys, monkeypatch: pytest.MonkeyPatch
) -> None:
    counted = CountedPipelines(redis_client, monkeypatch)
    batch = CommandBatch(redis_client)
    name = keys.ratelimit(1, "batch")

    first = asyncio.ensure_future(batch.call("INCR", name))
    await asyncio.sleep(0)  # the first batch is on its way
    later = [asyncio.ensure_future(batch.call("INCR", name)) for _ in range(5)]

    assert [await first, *[await call for call in later]] == [1, 2, 3, 4, 5, 6]
    assert counted.sizes == [1, 5]


async def test_a_failing_command_fails_alone(redis_client: aioredis.Redis, keys: RedisKeys) -> None:
    batch = CommandBatch(redis_client)
    text, number = keys.ratelimit(1, "text"), keys.ratelimit(2, "number")
    await redis_client.set(text, b"not a number")

    results = await asyncio.gather(
        batch.call("INCR", text), batch.call("INCR", number), return_exceptions=True
    )

    assert isinstance(results[0], ResponseError)
    assert results[1] == 1


async def test_a_caller_that_gives_up_does_not_stop_the_others(
    redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    batch = CommandBatch(redis_client)
    name = keys.ratelimit(1, "batch")

    impatient = asyncio.ensure_future(batch.call("INCR", name))
    patient = asyncio.ensure_future(batch.call("INCR", name))
    impatient.cancel()

    assert await patient in (1, 2)  # the impatient one's command may have gone already
    with pytest.raises(asyncio.CancelledError):
        await impatient
    assert await batch.call("GET", name) in (b"1", b"2")


async def test_every_caller_hears_that_redis_is_down(dead_redis: aioredis.Redis) -> None:
    batch = CommandBatch(dead_redis)

    results = await asyncio.gather(
        batch.call("GET", "a"), batch.call("GET", "b"), return_exceptions=True
    )

    assert all(isinstance(result, REDIS_UNAVAILABLE) for result in results)


async def test_one_batch_per_client(redis_client: aioredis.Redis) -> None:
    assert batch_of(redis_client) is batch_of(redis_client)


async def test_admissions_still_work_after_redis_forgot_the_scripts(
    redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    limiter = RateLimiter(redis_client, keys)
    await limiter.load_scripts()
    await redis_client.script_flush()  # as after a Redis restart

    admission = await limiter.claim_then_hit(
        keys.processed_update(7, 1), value=b"x", ttl_s=600, hit=(42, "message", 1, 10.0)
    )
    again = await limiter.claim_then_hit(
        keys.processed_update(7, 2), value=b"x", ttl_s=600, hit=(42, "message", 1, 10.0)
    )

    # Claimed and counted, not let through blind as when Redis is unavailable.
    assert admission.claimed and admission.decision.allowed
    assert again.claimed and not again.decision.allowed

import asyncio
import hashlib
import logging

import pytest
import redis.asyncio as aioredis

from domain.adapters.cache import RateLimiter, RedisKeys
from domain.adapters.cache.ratelimit import _CLAIM_THEN_HIT, _SLIDING_WINDOW
from tests.clock import FakeClock


@pytest.fixture
def limiter(redis_client: aioredis.Redis, keys: RedisKeys, clock: FakeClock) -> RateLimiter:
    return RateLimiter(redis_client, keys, clock=clock)


async def test_allows_up_to_the_limit_then_refuses_with_retry_after(
    limiter: RateLimiter, clock: FakeClock
) -> None:
    remaining = []
    for _ in range(3):
        decision = await limiter.hit(42, "book", limit=3, window_s=60)
        assert decision.allowed
        remaining.append(decision.remaining)
        clock.advance(1)

    refused = await limiter.hit(42, "book", limit=3, window_s=60)

    assert remaining == [2, 1, 0]
    assert not refused.allowed
    assert refused.remaining == 0
    # The oldest hit was 3 s ago, so it leaves the 60 s window in 57 s.
    assert refused.retry_after_s == pytest.approx(57.0)


async def test_a_hit_is_allowed_again_once_the_oldest_leaves_the_window(
    limiter: RateLimiter, clock: FakeClock
) -> None:
    await limiter.hit(42, "book", limit=2, window_s=10)
    clock.advance(4)
    await limiter.hit(42, "book", limit=2, window_s=10)

    clock.advance(5.999)
    still_refused = await limiter.hit(42, "book", limit=2, window_s=10)
    clock.advance(0.001)
    allowed = await limiter.hit(42, "book", limit=2, window_s=10)

    assert not still_refused.allowed
    assert still_refused.retry_after_s == pytest.approx(0.001)
    assert allowed.allowed
    assert allowed.remaining == 0


async def test_refused_hits_do_not_extend_the_wait(limiter: RateLimiter, clock: FakeClock) -> None:
    await limiter.hit(42, "book", limit=1, window_s=10)
    for _ in range(9):
        clock.advance(1)
        assert not (await limiter.hit(42, "book", limit=1, window_s=10)).allowed

    clock.advance(1)

    assert (await limiter.hit(42, "book", limit=1, window_s=10)).allowed


async def test_users_and_endpoints_are_counted_separately(limiter: RateLimiter) -> None:
    assert (await limiter.hit(1, "book", limit=1, window_s=60)).allowed
    assert not (await limiter.hit(1, "book", limit=1, window_s=60)).allowed

    assert (await limiter.hit(2, "book", limit=1, window_s=60)).allowed
    assert (await limiter.hit(1, "upload", limit=1, window_s=60)).allowed


async def test_hits_in_the_same_millisecond_are_each_counted(
    limiter: RateLimiter, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    # The fake clock never moves, so every hit has the same score.
    decisions = [await limiter.hit(42, "book", limit=5, window_s=60) for _ in range(6)]

    assert [d.allowed for d in decisions] == [True] * 5 + [False]
    assert await redis_client.zcard(keys.ratelimit(42, "book")) == 5


async def test_fifty_concurrent_hits_with_limit_ten_allow_exactly_ten(
    limiter: RateLimiter, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    decisions = await asyncio.gather(
        *(limiter.hit(42, "book", limit=10, window_s=60) for _ in range(50))
    )

    assert sum(d.allowed for d in decisions) == 10
    assert sorted(d.remaining for d in decisions if d.allowed) == list(range(10))
    assert await redis_client.zcard(keys.ratelimit(42, "book")) == 10


async def test_the_hit_log_expires_with_the_window(
    limiter: RateLimiter, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    await limiter.hit(42, "book", limit=3, window_s=30)

    ttl_ms = await redis_client.pttl(keys.ratelimit(42, "book"))

    assert 0 < ttl_ms <= 30_000


async def test_a_limit_below_one_or_an_empty_window_is_a_programming_error(
    limiter: RateLimiter,
) -> None:
    with pytest.raises(ValueError):
        await limiter.hit(42, "book", limit=0, window_s=60)
    with pytest.raises(ValueError):
        await limiter.hit(42, "book", limit=1, window_s=0)


async def test_allows_and_warns_when_redis_is_down(
    dead_redis: aioredis.Redis, keys: RedisKeys, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = RateLimiter(dead_redis, keys)

    with caplog.at_level(logging.WARNING, logger="domain.adapters.cache.ratelimit"):
        decisions = [await limiter.hit(42, "book", limit=1, window_s=60) for _ in range(3)]

    assert all(d.allowed for d in decisions)
    assert any("rate limiter unavailable" in r.getMessage() for r in caplog.records)


async def test_allows_and_warns_when_redis_hangs(
    silent_redis: aioredis.Redis, keys: RedisKeys, caplog: pytest.LogCaptureFixture
) -> None:
    limiter = RateLimiter(silent_redis, keys, timeout_s=0.05)

    with caplog.at_level(logging.WARNING, logger="domain.adapters.cache.ratelimit"):
        decision = await limiter.hit(42, "book", limit=1, window_s=60)

    assert decision.allowed
    assert any("rate limiter unavailable" in r.getMessage() for r in caplog.records)


async def test_a_claim_taken_before_is_not_counted_as_a_hit(
    limiter: RateLimiter, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    claim = keys.processed_update(7, 1)
    hit = (42, "book", 2, 60.0)

    first = await limiter.claim_then_hit(claim, value=b"mine", ttl_s=600, hit=hit)
    copy = await limiter.claim_then_hit(claim, value=b"mine", ttl_s=600, hit=hit)
    second = await limiter.claim_then_hit(
        keys.processed_update(7, 2), value=b"mine", ttl_s=600, hit=hit
    )

    assert (first.claimed, first.taken_before, first.decision.remaining) == (True, False, 1)
    assert copy.taken_before and not copy.claimed
    # The copy did not use up the second hit of the window.
    assert second.claimed and second.decision.allowed and second.decision.remaining == 0
    assert await redis_client.get(claim) == b"mine"
    assert 0 < await redis_client.ttl(claim) <= 600


async def test_a_claim_past_the_limit_is_held_and_refused(
    limiter: RateLimiter, keys: RedisKeys
) -> None:
    hit = (42, "book", 1, 10.0)
    await limiter.claim_then_hit(keys.processed_update(7, 1), value=b"x", ttl_s=600, hit=hit)

    refused = await limiter.claim_then_hit(
        keys.processed_update(7, 2), value=b"x", ttl_s=600, hit=hit
    )
    unlimited = await limiter.claim_then_hit(
        keys.processed_update(7, 3), value=b"x", ttl_s=600, hit=None
    )

    assert refused.claimed and not refused.decision.allowed
    assert refused.decision.retry_after_s == pytest.approx(10.0)
    assert unlimited.claimed and unlimited.decision.allowed


async def test_the_scripts_are_loaded_before_the_first_burst_needs_them(
    limiter: RateLimiter, redis_client: aioredis.Redis
) -> None:
    # Loaded lazily, the first burst of concurrent updates each met NOSCRIPT and loaded the
    # script again: twice the round trips, past the 0.5 s budget, and let through unchecked.
    await redis_client.script_flush()
    await limiter.load_scripts()
    # Redis names a script by the SHA1 of its source (what EVALSHA is called with).
    hashes = [
        hashlib.sha1(source.encode()).hexdigest() for source in (_SLIDING_WINDOW, _CLAIM_THEN_HIT)
    ]
    assert await redis_client.script_exists(*hashes) == [True, True]

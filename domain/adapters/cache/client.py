"""The one place a Redis client is configured."""

import redis.asyncio as aioredis
from redis.asyncio.retry import Retry
from redis.backoff import ExponentialBackoff
from redis.exceptions import RedisError

# Everything that means "Redis did not answer": callers that degrade gracefully catch these.
# TimeoutError covers asyncio.timeout() and is, like socket errors, an OSError.
REDIS_UNAVAILABLE: tuple[type[Exception], ...] = (RedisError, OSError)


def connect_redis(url: str) -> aioredis.Redis:
    """Return a client for `url` that fails fast when Redis is down and returns raw bytes."""
    # Redis is a cache and a limiter here, never the source of truth: a slow answer is worse
    # than none, so timeouts are short and there is a single quick retry instead of the
    # library default (ten retries with up to a second of backoff each).
    # decode_responses=False: values are JSON bytes that json.loads reads directly, and
    # nothing is decoded twice.
    return aioredis.Redis.from_url(
        url,
        decode_responses=False,
        socket_connect_timeout=0.5,
        socket_timeout=0.5,
        health_check_interval=30,
        retry=Retry(ExponentialBackoff(cap=0.05, base=0.01), retries=1),
    )

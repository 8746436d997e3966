"""Redis fixtures: a real client per test, confined to a random key prefix it cleans up."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis

from domain.cache import RedisKeys, connect_redis

REDIS_URL = "redis://127.0.0.1:6379/0"
# Nothing listens on port 1, so connecting is refused at once.
DEAD_REDIS_URL = "redis://127.0.0.1:1/0"


@pytest.fixture
def key_prefix() -> str:
    """A prefix no other test or run uses, so runs never see each other's keys."""
    return f"test:{uuid.uuid4().hex}:"


@pytest.fixture
def keys(key_prefix: str) -> RedisKeys:
    return RedisKeys(key_prefix)


@pytest.fixture
async def redis_client(key_prefix: str) -> AsyncIterator[aioredis.Redis]:
    client = connect_redis(REDIS_URL)
    try:
        yield client
    finally:
        stale = [key async for key in client.scan_iter(match=f"{key_prefix}*", count=500)]
        if stale:
            await client.delete(*stale)
        await client.aclose()


@pytest.fixture
async def dead_redis() -> AsyncIterator[aioredis.Redis]:
    client = connect_redis(DEAD_REDIS_URL)
    yield client
    await client.aclose()


@pytest.fixture
async def silent_redis() -> AsyncIterator[aioredis.Redis]:
    """A client (without socket timeouts) to a server that accepts connections and never answers."""

    async def swallow(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.read()  # until the client hangs up
        writer.close()

    server = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    client = aioredis.Redis(host="127.0.0.1", port=port, socket_timeout=None)
    yield client
    await client.aclose()
    server.close()
    await server.wait_closed()

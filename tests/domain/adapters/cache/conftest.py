"""A Redis that accepts connections and never answers (shared fixtures are in tests/)."""

import asyncio
from collections.abc import AsyncIterator

import pytest
import redis.asyncio as aioredis


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

"""Files people send, streamed from Telegram in chunks: never held whole in memory.

PTB's own download helpers read a whole file into memory first; a video may be up to 20 MB
from the cloud Bot API, or 2 GB from a local Bot API server, so it is streamed instead. A local
server (TELEGRAM_LOCAL_MODE) answers getFile with a path on its own disk, read here in chunks.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

import aiohttp
from telegram import Bot
from telegram.error import NetworkError

CHUNK_SIZE = 1024 * 1024
# Generous: 20 MB over a slow link; a local server's files come from disk.
DOWNLOAD_TIMEOUT = aiohttp.ClientTimeout(total=600, sock_connect=10, sock_read=60)


async def telegram_file_chunks(bot: Bot, file_id: str) -> AsyncIterator[bytes]:
    """The file's bytes in chunks; TelegramError if Telegram will not hand it over."""
    file = await bot.get_file(file_id)
    if file.file_path is None:
        raise NetworkError("Telegram gave no path for the file")
    if bot.local_mode and Path(file.file_path).is_absolute():
        async for chunk in _disk_chunks(Path(file.file_path)):
            yield chunk
        return
    async for chunk in _http_chunks(_encoded(file.file_path)):
        yield chunk


async def _http_chunks(url: str) -> AsyncIterator[bytes]:
    try:
        async with (
            aiohttp.ClientSession(timeout=DOWNLOAD_TIMEOUT) as session,
            session.get(url) as response,
        ):
            if response.status != 200:
                raise NetworkError(f"file download answered {response.status}")
            async for chunk in response.content.iter_chunked(CHUNK_SIZE):
                yield chunk
    except (aiohttp.ClientError, TimeoutError) as err:
        raise NetworkError(f"file download failed: {err!r}") from err


async def _disk_chunks(path: Path) -> AsyncIterator[bytes]:
    with path.open("rb") as file:
        while chunk := await asyncio.to_thread(file.read, CHUNK_SIZE):
            yield chunk


def _encoded(url: str) -> str:
    # File paths may hold spaces or non-ASCII names; the token part is URL-safe already.
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=quote(parts.path)))

"""Chunked byte streams with bounded buffers, shared by the storage backends."""

import asyncio
import os
import tempfile
from collections.abc import AsyncIterable, AsyncIterator
from pathlib import Path
from typing import BinaryIO

from domain.adapters.storage.base import ByteSource

CHUNK_SIZE = 1024 * 1024


async def byte_chunks(source: ByteSource, chunk_size: int = CHUNK_SIZE) -> AsyncIterator[bytes]:
    """Yield the source as non-empty chunks, reading file objects off the event loop thread."""
    if isinstance(source, bytes | bytearray | memoryview):
        view = memoryview(source).cast("B")
        for start in range(0, len(view), chunk_size):
            yield bytes(view[start : start + chunk_size])
    elif isinstance(source, AsyncIterable):
        async for chunk in source:
            if chunk:
                yield bytes(chunk)
    elif callable(getattr(source, "read", None)):
        while chunk := await asyncio.to_thread(source.read, chunk_size):
            yield bytes(chunk)
    else:
        raise TypeError(f"cannot stream bytes from {type(source).__name__}")


async def fixed_size_blocks(chunks: AsyncIterable[bytes], block_size: int) -> AsyncIterator[bytes]:
    """Regroup chunks into blocks of exactly block_size bytes; only the last may be shorter."""
    buffer = bytearray()
    async for chunk in chunks:
        buffer += chunk
        while len(buffer) >= block_size:
            yield bytes(buffer[:block_size])
            del buffer[:block_size]
    if buffer:
        yield bytes(buffer)


async def write_atomically(path: Path, chunks: AsyncIterable[bytes]) -> int:
    """Write chunks to path via a temporary sibling and a rename; return the bytes written."""
    await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
    # Same directory as the target, so the final os.replace never crosses a filesystem.
    fd, temp_name = await asyncio.to_thread(
        tempfile.mkstemp, dir=path.parent, prefix=f".{path.name}.", suffix=".part"
    )
    temp = Path(temp_name)
    try:
        file = os.fdopen(fd, "wb")  # wraps the descriptor, no I/O
        try:
            written = 0
            async for chunk in chunks:
                await asyncio.to_thread(file.write, chunk)
                written += len(chunk)
            await asyncio.to_thread(_flush_to_disk, file)
        finally:
            await asyncio.to_thread(file.close)
        await asyncio.to_thread(os.replace, temp, path)
    except BaseException:
        # Runs on cancellation too; the thread finishes the unlink even if cancelled again.
        await asyncio.to_thread(temp.unlink, missing_ok=True)
        raise
    return written


def _flush_to_disk(file: BinaryIO) -> None:
    file.flush()
    # mkstemp creates 0600; media is served by other processes too, so use a file's usual mode.
    os.fchmod(file.fileno(), 0o644)
    os.fsync(file.fileno())

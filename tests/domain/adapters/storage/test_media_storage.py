"""What every MediaStorage backend promises, run against local files and S3 (moto)."""

import hashlib
import io
import random
from collections.abc import AsyncIterator
from pathlib import Path
from uuid import uuid4

import pytest

from domain.adapters.storage import (
    InvalidKey,
    MediaStorage,
    ObjectMissing,
    StoredObject,
    raw_video_key,
)
from domain.adapters.storage.streams import CHUNK_SIZE

MP4 = "video/mp4"


def new_video_key() -> str:
    return raw_video_key(uuid4(), uuid4(), "serve.mp4")


async def read_streamed(storage: MediaStorage, key: str) -> bytes:
    return b"".join([chunk async for chunk in storage.open(key)])


async def chunks_of(*parts: bytes) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_put_bytes_stores_an_object_that_reads_back_whole_and_streamed(
    storage: MediaStorage,
) -> None:
    key = new_video_key()

    stored = await storage.put(key, b"first serve", content_type=MP4)

    assert stored == StoredObject(key=key, size=11, content_type=MP4)
    assert await storage.read_bytes(key) == b"first serve"
    assert await read_streamed(storage, key) == b"first serve"
    assert await storage.exists(key)
    assert await storage.size(key) == 11


async def test_put_file_object_stores_everything_it_reads(storage: MediaStorage) -> None:
    key = new_video_key()
    data = random.Random(1).randbytes(3 * CHUNK_SIZE + 17)

    stored = await storage.put(key, io.BytesIO(data), content_type=MP4)

    assert stored.size == len(data)
    assert await storage.read_bytes(key) == data


async def test_put_async_iterator_stores_its_chunks_in_order(storage: MediaStorage) -> None:
    key = new_video_key()

    stored = await storage.put(key, chunks_of(b"warm", b"", b"-up ", b"drill"), content_type=MP4)

    assert stored.size == len(b"warm-up drill")
    assert await storage.read_bytes(key) == b"warm-up drill"


async def test_put_of_an_empty_source_stores_an_empty_object(storage: MediaStorage) -> None:
    key = new_video_key()

    await storage.put(key, chunks_of(), content_type=MP4)

    assert await storage.exists(key)
    assert await storage.size(key) == 0
    assert await storage.read_bytes(key) == b""


async def test_put_replaces_the_previous_object_under_the_key(storage: MediaStorage) -> None:
    key = new_video_key()
    await storage.put(key, b"take one, a long first attempt", content_type=MP4)

    await storage.put(key, b"take two", content_type=MP4)

    assert await storage.read_bytes(key) == b"take two"
    assert await storage.size(key) == len(b"take two")


async def test_open_streams_in_chunks_no_larger_than_the_chunk_size(
    storage: MediaStorage,
) -> None:
    key = new_video_key()
    data = random.Random(2).randbytes(2 * CHUNK_SIZE + 5)
    await storage.put(key, data, content_type=MP4)

    sizes = [len(chunk) async for chunk in storage.open(key)]

    assert sum(sizes) == len(data)
    assert max(sizes) <= CHUNK_SIZE


async def test_delete_removes_the_object(storage: MediaStorage) -> None:
    key = new_video_key()
    await storage.put(key, b"clip", content_type=MP4)

    await storage.delete(key)

    assert not await storage.exists(key)
    with pytest.raises(ObjectMissing):
        await storage.read_bytes(key)


async def test_deleting_a_missing_key_is_not_an_error(storage: MediaStorage) -> None:
    key = new_video_key()

    await storage.delete(key)
    await storage.delete(key)

    assert not await storage.exists(key)


async def test_reading_a_missing_key_raises_object_missing_naming_the_key(
    storage: MediaStorage, tmp_path: Path
) -> None:
    key = new_video_key()

    with pytest.raises(ObjectMissing) as missing:
        await storage.read_bytes(key)
    assert missing.value.key == key
    with pytest.raises(ObjectMissing):
        await read_streamed(storage, key)
    with pytest.raises(ObjectMissing):
        await storage.size(key)
    with pytest.raises(ObjectMissing):
        await storage.download_to(key, tmp_path / "copy.mp4")
    assert not (tmp_path / "copy.mp4").exists()


async def test_download_to_copies_the_object_into_a_new_local_file(
    storage: MediaStorage, tmp_path: Path
) -> None:
    key = new_video_key()
    data = random.Random(3).randbytes(CHUNK_SIZE + 1)
    await storage.put(key, data, content_type=MP4)
    target = tmp_path / "downloads" / "serve.mp4"

    await storage.download_to(key, target)

    assert target.read_bytes() == data
    assert [path.name for path in target.parent.iterdir()] == ["serve.mp4"]


@pytest.mark.parametrize(
    "key",
    [
        "/videos/raw/u/v/serve.mp4",
        "videos/raw/../../../etc/passwd",
        "videos/raw/u/./serve.mp4",
        "videos/raw//serve.mp4",
        "videos/raw\\u\\serve.mp4",
        "videos/raw/u/serve\x00.mp4",
        "secrets/serve.mp4",
        "videos/raw",
        "",
    ],
)
async def test_keys_outside_the_layout_are_rejected_before_touching_the_store(
    storage: MediaStorage, key: str
) -> None:
    with pytest.raises(InvalidKey):
        await storage.put(key, b"x", content_type=MP4)
    with pytest.raises(InvalidKey):
        await storage.read_bytes(key)
    with pytest.raises(InvalidKey):
        await storage.delete(key)
    with pytest.raises(InvalidKey):
        await storage.presigned_url(key, expires_in=60)


@pytest.mark.slow
async def test_a_20_mb_stream_round_trips_byte_for_byte(storage: MediaStorage) -> None:
    key = new_video_key()
    sent = hashlib.sha256()

    async def recording() -> AsyncIterator[bytes]:
        source = random.Random(4)
        for _ in range(20):
            # An odd chunk size, so parts never line up with what the producer yields.
            chunk = source.randbytes(1_000_003)
            sent.update(chunk)
            yield chunk

    stored = await storage.put(key, recording(), content_type=MP4)

    received = hashlib.sha256()
    async for chunk in storage.open(key):
        received.update(chunk)
    assert stored.size == 20 * 1_000_003
    assert received.hexdigest() == sent.hexdigest()


async def test_an_archived_object_still_reads_back_and_archiving_again_changes_nothing(
    storage: MediaStorage,
) -> None:
    key = new_video_key()
    await storage.put(key, b"old serve", content_type=MP4)

    archived = await storage.archive(key)
    again = await storage.archive(key)

    assert again == archived
    assert archived in (key, f"archive/{key}")
    assert await storage.read_bytes(archived) == b"old serve"


async def test_archiving_a_missing_key_raises_object_missing(storage: MediaStorage) -> None:
    with pytest.raises(ObjectMissing):
        await storage.archive(new_video_key())

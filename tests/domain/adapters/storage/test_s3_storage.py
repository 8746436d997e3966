"""S3Storage specifics, against moto's S3 server over HTTP."""

import asyncio
import hashlib
import random
import threading
import urllib.request
from collections.abc import AsyncIterator, Callable
from typing import Any
from uuid import uuid4

import pytest
from botocore.client import BaseClient
from botocore.exceptions import ClientError

from domain.adapters.storage import S3Storage, StorageError, raw_video_key
from domain.adapters.storage.s3 import MIN_PART_SIZE

MP4 = "video/mp4"


class RecordingClient:
    """Forwards to a boto3 client, noting the thread of each call and failing one on request."""

    def __init__(self, client: BaseClient, *, fail: str | None = None) -> None:
        self._client = client
        self._fail = fail
        self.calls: list[tuple[str, int]] = []

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, threading.get_ident()))
            if name == self._fail:
                raise ClientError({"Error": {"Code": "InternalError", "Message": "boom"}}, name)
            return attribute(*args, **kwargs)

        return call

    @property
    def operations(self) -> list[str]:
        return [name for name, _ in self.calls]


def new_video_key() -> str:
    return raw_video_key(uuid4(), uuid4(), "serve.mp4")


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read()


async def six_mib_then(failure: Exception | None = None) -> AsyncIterator[bytes]:
    for _ in range(6):
        yield bytes(1024 * 1024)
    if failure is not None:
        raise failure


async def pending_uploads(s3_client: BaseClient, bucket: str, key: str) -> list[object]:
    listing = await asyncio.to_thread(s3_client.list_multipart_uploads, Bucket=bucket, Prefix=key)
    return listing.get("Uploads", [])


@pytest.fixture
def recording_storage(
    s3_client: BaseClient, bucket: str
) -> Callable[..., tuple[S3Storage, RecordingClient]]:
    def build(fail: str | None = None) -> tuple[S3Storage, RecordingClient]:
        client = RecordingClient(s3_client, fail=fail)
        storage = S3Storage(bucket=bucket, part_size=MIN_PART_SIZE, client=client)  # type: ignore[arg-type]
        return storage, client

    return build


async def test_presigned_url_serves_the_object_over_http(s3_storage: S3Storage) -> None:
    key = new_video_key()
    data = random.Random(5).randbytes(50_000)
    await s3_storage.put(key, data, content_type=MP4)

    url = await s3_storage.presigned_url(key, expires_in=300)

    assert "X-Amz-Expires=300" in url
    assert await asyncio.to_thread(fetch, url) == data


async def test_presigned_url_names_the_public_endpoint_a_browser_can_reach(
    moto_endpoint: str, bucket: str
) -> None:
    # In compose the bot reaches MinIO as http://minio:9000, a browser as http://127.0.0.1:9000:
    # the link must be signed for the browser's host. Here "localhost" stands for the public name.
    public = moto_endpoint.replace("127.0.0.1", "localhost")
    storage = S3Storage(
        bucket=bucket, endpoint_url=moto_endpoint, public_endpoint_url=public, region="us-east-1"
    )
    key = new_video_key()
    await storage.put(key, b"seen from outside", content_type=MP4)

    url = await storage.presigned_url(key, expires_in=300)

    assert url.startswith(f"{public}/{bucket}/")
    assert await asyncio.to_thread(fetch, url) == b"seen from outside"


async def test_presigned_url_lifetime_must_be_within_what_s3_allows(
    s3_storage: S3Storage,
) -> None:
    for expires_in in (0, 7 * 24 * 3600 + 1):
        with pytest.raises(ValueError):
            await s3_storage.presigned_url(new_video_key(), expires_in=expires_in)


async def test_object_smaller_than_a_part_is_sent_with_a_single_put(
    recording_storage: Callable[..., tuple[S3Storage, RecordingClient]],
) -> None:
    storage, client = recording_storage()

    await storage.put(new_video_key(), b"short clip", content_type=MP4)

    assert client.operations == ["put_object"]


async def test_every_boto3_call_runs_off_the_event_loop_thread(
    recording_storage: Callable[..., tuple[S3Storage, RecordingClient]],
) -> None:
    storage, client = recording_storage()
    key = new_video_key()

    await storage.put(key, six_mib_then(), content_type=MP4)
    await storage.put(new_video_key(), b"small", content_type=MP4)
    whole = await storage.read_bytes(key)
    streamed = b"".join([chunk async for chunk in storage.open(key)])
    await storage.size(key)
    await storage.presigned_url(key, expires_in=60)
    await storage.delete(key)

    assert streamed == whole
    assert {"create_multipart_upload", "upload_part", "complete_multipart_upload"} <= set(
        client.operations
    )
    assert threading.get_ident() not in {thread for _, thread in client.calls}


async def test_failing_source_stream_aborts_the_multipart_upload_and_stores_nothing(
    recording_storage: Callable[..., tuple[S3Storage, RecordingClient]],
    s3_client: BaseClient,
    bucket: str,
) -> None:
    storage, client = recording_storage()
    key = new_video_key()

    with pytest.raises(ConnectionResetError):
        await storage.put(key, six_mib_then(ConnectionResetError()), content_type=MP4)

    assert client.operations[:2] == ["create_multipart_upload", "upload_part"]
    assert client.operations[-1] == "abort_multipart_upload"
    assert await pending_uploads(s3_client, bucket, key) == []
    assert not await storage.exists(key)


async def test_source_failing_within_the_first_part_never_starts_an_upload(
    recording_storage: Callable[..., tuple[S3Storage, RecordingClient]],
) -> None:
    storage, client = recording_storage()

    async def broken_after_one_chunk() -> AsyncIterator[bytes]:
        yield b"partial"
        raise ConnectionResetError

    with pytest.raises(ConnectionResetError):
        await storage.put(new_video_key(), broken_after_one_chunk(), content_type=MP4)

    assert client.operations == []


@pytest.mark.parametrize("rejected", ["upload_part", "complete_multipart_upload"])
async def test_s3_rejecting_the_multipart_upload_aborts_it_and_raises_storage_error(
    recording_storage: Callable[..., tuple[S3Storage, RecordingClient]],
    s3_client: BaseClient,
    bucket: str,
    rejected: str,
) -> None:
    storage, client = recording_storage(fail=rejected)
    key = new_video_key()

    with pytest.raises(StorageError):
        await storage.put(key, six_mib_then(), content_type=MP4)

    assert client.operations[-1] == "abort_multipart_upload"
    assert await pending_uploads(s3_client, bucket, key) == []
    assert not await storage.exists(key)


@pytest.mark.slow
async def test_a_20_mb_stream_is_stored_as_a_multipart_object(
    s3_storage: S3Storage, s3_client: BaseClient, bucket: str
) -> None:
    key = new_video_key()
    sent = hashlib.sha256()

    async def recording() -> AsyncIterator[bytes]:
        source = random.Random(6)
        for _ in range(20):
            chunk = source.randbytes(1024 * 1024)
            sent.update(chunk)
            yield chunk

    await s3_storage.put(key, recording(), content_type=MP4)

    head = await asyncio.to_thread(s3_client.head_object, Bucket=bucket, Key=key)
    # 20 MiB in 8 MiB parts: 8 + 8 + 4.
    assert head["ETag"].strip('"').endswith("-3")
    assert head["ContentType"] == MP4
    received = hashlib.sha256()
    async for chunk in s3_storage.open(key):
        received.update(chunk)
    assert received.hexdigest() == sent.hexdigest()


def test_part_size_below_the_s3_minimum_is_refused() -> None:
    with pytest.raises(ValueError):
        S3Storage(bucket="any", part_size=MIN_PART_SIZE - 1, client=object())  # type: ignore[arg-type]

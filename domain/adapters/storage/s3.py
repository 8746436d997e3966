"""Media storage on any S3-compatible endpoint through boto3, kept off the event loop thread."""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import aclosing
from functools import partial
from pathlib import Path
from typing import Any

import boto3
from botocore.client import BaseClient
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from botocore.response import StreamingBody

from domain.adapters.storage.base import (
    ByteSource,
    ObjectMissing,
    StorageError,
    StoredObject,
    check_key,
)
from domain.adapters.storage.streams import (
    CHUNK_SIZE,
    byte_chunks,
    fixed_size_blocks,
    write_atomically,
)

log = logging.getLogger(__name__)

MIN_PART_SIZE = 5 * 1024 * 1024  # S3 rejects smaller parts, except the last one
PART_SIZE = 8 * 1024 * 1024
MAX_PARTS = 10_000
MAX_URL_LIFETIME = 7 * 24 * 3600  # SigV4 presigned URLs cannot live longer
# One per worker thread of the default executor, so threads never wait on or discard connections.
_MAX_CONNECTIONS = 32
# Millisecond reads like STANDARD, a fraction of the price to keep: an archived video still plays.
ARCHIVE_STORAGE_CLASS = "GLACIER_IR"
_MISSING_OBJECT = frozenset({"NoSuchKey", "404", "NotFound"})


class S3Storage:
    """MediaStorage on an S3 bucket; objects past one part are sent as a multipart upload."""

    # Presigned S3 URLs are served by S3 itself and expire on their own.
    serves_links = True

    def __init__(
        self,
        *,
        bucket: str,
        endpoint_url: str | None = None,
        public_endpoint_url: str | None = None,
        region: str | None = None,
        part_size: int = PART_SIZE,
        chunk_size: int = CHUNK_SIZE,
        client: BaseClient | None = None,
        archive_storage_class: str = ARCHIVE_STORAGE_CLASS,
    ) -> None:
        if part_size < MIN_PART_SIZE:
            raise ValueError(f"part_size must be at least {MIN_PART_SIZE} bytes")
        self.bucket = bucket
        self.archive_storage_class = archive_storage_class
        self._part_size = part_size
        self._chunk_size = chunk_size
        self._client = client or _make_client(endpoint_url, region)
        # A SigV4 signature covers the host, so links a browser opens are signed by a client
        # configured with the host the browser uses (signing makes no request).
        self.public_endpoint_url = public_endpoint_url
        self._signer = (
            _make_client(public_endpoint_url, region) if public_endpoint_url else self._client
        )

    async def put(self, key: str, source: ByteSource, *, content_type: str) -> StoredObject:
        """Store the source, as one PutObject if it fits in a part, else as a multipart upload."""
        check_key(key)
        blocks = fixed_size_blocks(byte_chunks(source, self._chunk_size), self._part_size)
        async with aclosing(blocks):
            first = await anext(blocks, b"")
            if len(first) < self._part_size:
                await self._call("put_object", key, Body=first, ContentType=content_type)
                return StoredObject(key, len(first), content_type)
            return await self._put_multipart(key, content_type, _prepend(first, blocks))

    async def _put_multipart(
        self, key: str, content_type: str, blocks: AsyncIterator[bytes]
    ) -> StoredObject:
        upload = await self._call("create_multipart_upload", key, ContentType=content_type)
        upload_id: str = upload["UploadId"]
        try:
            parts, size = await self._upload_parts(key, upload_id, blocks)
            await self._call(
                "complete_multipart_upload",
                key,
                UploadId=upload_id,
                MultipartUpload={"Parts": parts},
            )
        except BaseException:
            # Stored parts are billed and invisible until aborted, whatever went wrong.
            await self._abort_multipart(key, upload_id)
            raise
        return StoredObject(key, size, content_type)

    async def _upload_parts(
        self, key: str, upload_id: str, blocks: AsyncIterator[bytes]
    ) -> tuple[list[dict[str, str | int]], int]:
        parts: list[dict[str, str | int]] = []
        size = 0
        async for block in blocks:
            number = len(parts) + 1
            if number > MAX_PARTS:
                raise StorageError(f"{key!r} needs more than {MAX_PARTS} parts")
            reply = await self._call(
                "upload_part", key, UploadId=upload_id, PartNumber=number, Body=block
            )
            parts.append({"ETag": reply["ETag"], "PartNumber": number})
            size += len(block)
        return parts, size

    async def _abort_multipart(self, key: str, upload_id: str) -> None:
        try:
            await self._call("abort_multipart_upload", key, UploadId=upload_id)
        except StorageError:
            log.warning(
                "could not abort multipart upload %s of %r; a lifecycle rule must reap it",
                upload_id,
                key,
                exc_info=True,
            )

    async def open(self, key: str) -> AsyncIterator[bytes]:
        """Stream the object in chunks; ObjectMissing is raised on the first iteration."""
        check_key(key)
        body: StreamingBody = (await self._call("get_object", key))["Body"]
        try:
            while chunk := await _read(body, key, self._chunk_size):
                yield chunk
        finally:
            await asyncio.to_thread(body.close)

    async def read_bytes(self, key: str) -> bytes:
        """Return a small object whole."""
        check_key(key)
        body: StreamingBody = (await self._call("get_object", key))["Body"]
        try:
            return await _read(body, key)
        finally:
            await asyncio.to_thread(body.close)

    async def download_to(self, key: str, path: Path) -> None:
        """Copy the object to a local file, which appears only once complete."""
        await write_atomically(path, self.open(key))

    async def delete(self, key: str) -> None:
        """Remove the object; S3 itself treats deleting a missing key as success."""
        check_key(key)
        await self._call("delete_object", key)

    async def exists(self, key: str) -> bool:
        """Tell whether an object is stored under the key."""
        try:
            await self.size(key)
        except ObjectMissing:
            return False
        return True

    async def size(self, key: str) -> int:
        """Return the object's size in bytes."""
        check_key(key)
        head = await self._call("head_object", key)
        return int(head["ContentLength"])

    async def archive(self, key: str) -> str:
        """Copy the object onto itself in the archive storage class; the key does not change."""
        check_key(key)
        head = await self._call("head_object", key)
        # S3 refuses a copy onto itself that changes nothing: an archived object stays as it is.
        if head.get("StorageClass", "STANDARD") != self.archive_storage_class:
            await self._call(
                "copy_object",
                key,
                CopySource={"Bucket": self.bucket, "Key": key},
                StorageClass=self.archive_storage_class,
                MetadataDirective="COPY",
            )
        return key

    async def presigned_url(self, key: str, *, expires_in: int) -> str:
        """Return a SigV4-presigned GET URL valid for expires_in seconds."""
        check_key(key)
        if not 1 <= expires_in <= MAX_URL_LIFETIME:
            raise ValueError(f"expires_in must be 1 to {MAX_URL_LIFETIME} seconds")
        sign = partial(
            self._signer.generate_presigned_url,
            "get_object",
            Params={"Bucket": self.bucket, "Key": key},
            ExpiresIn=expires_in,
        )
        try:
            return await asyncio.to_thread(sign)
        except BotoCoreError as err:
            raise StorageError(f"cannot presign {key!r}") from err

    async def _call(self, operation: str, key: str, **params: Any) -> dict[str, Any]:
        request = partial(getattr(self._client, operation), Bucket=self.bucket, Key=key, **params)
        try:
            return await asyncio.to_thread(request)
        except ClientError as err:
            if _code(err) in _MISSING_OBJECT:
                raise ObjectMissing(key) from err
            raise StorageError(f"S3 {operation} of {key!r} failed: {_code(err)}") from err
        except BotoCoreError as err:
            raise StorageError(f"S3 {operation} of {key!r} failed") from err


async def _read(body: StreamingBody, key: str, size: int | None = None) -> bytes:
    try:
        return await asyncio.to_thread(body.read, size)
    except BotoCoreError as err:
        raise StorageError(f"reading {key!r} from S3 failed") from err


async def _prepend(first: bytes, rest: AsyncIterator[bytes]) -> AsyncIterator[bytes]:
    yield first
    async for block in rest:
        yield block


def _code(err: ClientError) -> str:
    return str(err.response.get("Error", {}).get("Code", ""))


def _make_client(endpoint_url: str | None, region: str | None) -> BaseClient:
    config = Config(
        signature_version="s3v4",
        # Self-hosted endpoints (MinIO, moto, Ceph) rarely have wildcard DNS for bucket hosts.
        s3={"addressing_style": "path" if endpoint_url else "auto"},
        retries={"mode": "standard"},
        max_pool_connections=_MAX_CONNECTIONS,
    )
    # Sessions are not thread-safe but clients are; this one client serves every worker thread.
    session = boto3.session.Session()
    return session.client("s3", endpoint_url=endpoint_url, region_name=region, config=config)

"""Media storage on the local filesystem: the embedded default, with HMAC-signed media URLs."""

import asyncio
import contextlib
import hashlib
import hmac
import os
import stat
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from urllib.parse import quote, urlencode

from domain.adapters.storage.base import (
    ByteSource,
    InvalidKey,
    ObjectMissing,
    StoredObject,
    check_key,
)
from domain.adapters.storage.keys import archived_key
from domain.adapters.storage.streams import CHUNK_SIZE, byte_chunks, write_atomically

# A path that runs through a file, or ends at a directory, holds no object either.
_NOT_AN_OBJECT = (FileNotFoundError, NotADirectoryError, IsADirectoryError)


class LocalStorage:
    """MediaStorage in a directory; presigned URLs point at a web endpoint under /media/."""

    # Its signed links need a web server of ours in front of the media folder; none runs yet.
    serves_links = False

    def __init__(
        self,
        root: Path,
        signing_key: bytes,
        base_url: str,
        *,
        chunk_size: int = CHUNK_SIZE,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not signing_key:
            raise ValueError("signing_key must not be empty")
        self.root = Path(root)
        self._signing_key = signing_key
        self._base_url = base_url.rstrip("/")
        self._chunk_size = chunk_size
        self._clock = clock

    def path_of(self, key: str) -> Path:
        """Return the file that holds, or would hold, the object under the key."""
        return self.root.joinpath(*check_key(key).split("/"))

    async def put(self, key: str, source: ByteSource, *, content_type: str) -> StoredObject:
        """Store the source under the key; readers see the old object or the whole new one."""
        path = self.path_of(key)
        size = await write_atomically(path, byte_chunks(source, self._chunk_size))
        return StoredObject(key, size, content_type)

    async def open(self, key: str) -> AsyncIterator[bytes]:
        """Stream the object in chunks; ObjectMissing is raised on the first iteration."""
        path = self.path_of(key)
        try:
            file = await asyncio.to_thread(path.open, "rb")
        except _NOT_AN_OBJECT as err:
            raise ObjectMissing(key) from err
        try:
            while chunk := await asyncio.to_thread(file.read, self._chunk_size):
                yield chunk
        finally:
            await asyncio.to_thread(file.close)

    async def read_bytes(self, key: str) -> bytes:
        """Return a small object whole."""
        path = self.path_of(key)
        try:
            return await asyncio.to_thread(path.read_bytes)
        except _NOT_AN_OBJECT as err:
            raise ObjectMissing(key) from err

    async def download_to(self, key: str, path: Path) -> None:
        """Copy the object to a local file, which appears only once complete."""
        await write_atomically(path, self.open(key))

    async def delete(self, key: str) -> None:
        """Remove the object; deleting a missing object is not an error."""
        path = self.path_of(key)
        with contextlib.suppress(NotADirectoryError, IsADirectoryError):
            await asyncio.to_thread(path.unlink, missing_ok=True)

    async def exists(self, key: str) -> bool:
        """Tell whether an object is stored under the key."""
        try:
            await self.size(key)
        except ObjectMissing:
            return False
        return True

    async def size(self, key: str) -> int:
        """Return the object's size in bytes."""
        path = self.path_of(key)
        try:
            status = await asyncio.to_thread(os.stat, path)
        except _NOT_AN_OBJECT as err:
            raise ObjectMissing(key) from err
        if not stat.S_ISREG(status.st_mode):
            raise ObjectMissing(key)
        return status.st_size

    async def archive(self, key: str) -> str:
        """Move the file under archive/ (a folder that can sit on a cheaper disk); its new key."""
        target = archived_key(key)
        source, destination = self.path_of(key), self.path_of(target)
        if source == destination:
            return target
        try:
            await asyncio.to_thread(destination.parent.mkdir, parents=True, exist_ok=True)
            await asyncio.to_thread(os.replace, source, destination)
        except _NOT_AN_OBJECT as err:
            # Moved by an earlier run whose database write was lost: the move is done.
            if await self.exists(target):
                return target
            raise ObjectMissing(key) from err
        return target

    async def presigned_url(self, key: str, *, expires_in: int) -> str:
        """Return `{base_url}/media/{key}?expires=…&signature=…`, valid for expires_in seconds."""
        check_key(key)
        if expires_in < 1:
            raise ValueError("expires_in must be at least 1 second")
        expires = int(self._clock()) + expires_in
        query = urlencode({"expires": expires, "signature": self._sign(key, expires)})
        return f"{self._base_url}/media/{quote(key, safe='/')}?{query}"

    def verify_signature(
        self, key: str, expires: int | str, signature: str, now: float | None = None
    ) -> bool:
        """Tell whether a presigned URL's key, expiry and signature are genuine and unexpired."""
        try:
            check_key(key)
            expires_at = int(expires)
        except (InvalidKey, ValueError):
            return False
        current = self._clock() if now is None else now
        if current > expires_at:
            return False
        expected = self._sign(key, expires_at).encode("ascii")
        return hmac.compare_digest(expected, signature.encode("utf-8", "replace"))

    def _sign(self, key: str, expires: int) -> str:
        # The purpose prefix keeps these signatures useless elsewhere if the key is ever shared.
        message = f"media-get\n{key}\n{expires}".encode()
        return hmac.new(self._signing_key, message, hashlib.sha256).hexdigest()

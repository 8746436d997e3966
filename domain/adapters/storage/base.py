"""The media storage interface every backend implements, its value types and its errors."""

import unicodedata
from collections.abc import AsyncIterable, AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol

from domain.adapters.storage.keys import LAYOUT_PREFIXES

# S3's own limit; the local backend keeps to it so that both accept the same keys.
MAX_KEY_BYTES = 1024

ByteSource = bytes | bytearray | memoryview | BinaryIO | AsyncIterable[bytes]


class StorageError(Exception):
    """The media store failed or refused an operation."""

    message_key = "storage.unavailable"


class ObjectMissing(StorageError):
    """No object is stored under the key."""

    message_key = "storage.object_missing"

    def __init__(self, key: str) -> None:
        super().__init__(f"no object stored under {key!r}")
        self.key = key


class InvalidKey(StorageError):
    """The key is malformed or points outside the bucket layout."""

    message_key = "storage.invalid_key"

    def __init__(self, key: str, reason: str) -> None:
        super().__init__(f"invalid key {key!r}: {reason}")
        self.key = key
        self.reason = reason


@dataclass(frozen=True, slots=True)
class StoredObject:
    """What a completed upload left in the store."""

    key: str
    size: int
    content_type: str


def check_key(key: str) -> str:
    """Return the key unchanged if it names an object inside the layout, else raise InvalidKey."""
    if not key or len(key.encode("utf-8", "surrogatepass")) > MAX_KEY_BYTES:
        raise InvalidKey(key, f"must be 1 to {MAX_KEY_BYTES} bytes")
    if "\\" in key or any(unicodedata.category(ch).startswith("C") for ch in key):
        raise InvalidKey(key, "contains a backslash or a control character")
    if any(segment in {"", ".", ".."} for segment in key.split("/")):
        raise InvalidKey(key, "is absolute or has an empty, '.' or '..' segment")
    if not any(key.startswith(f"{prefix}/") for prefix in LAYOUT_PREFIXES):
        raise InvalidKey(key, "is outside the media layout")
    return key


class MediaStorage(Protocol):
    """Where media files live: profile images, videos, certificates, training material."""

    # Whether a presigned URL reaches the file from anywhere (and expires), so it may be shown.
    serves_links: bool

    async def put(self, key: str, source: ByteSource, *, content_type: str) -> StoredObject:
        """Store the source under the key, streaming it, replacing any previous object."""
        ...

    def open(self, key: str) -> AsyncIterator[bytes]:
        """Stream the object in chunks; ObjectMissing is raised on the first iteration."""
        ...

    async def read_bytes(self, key: str) -> bytes:
        """Return a small object whole."""
        ...

    async def download_to(self, key: str, path: Path) -> None:
        """Copy the object to a local file, which appears only once complete."""
        ...

    async def delete(self, key: str) -> None:
        """Remove the object; deleting a missing object is not an error."""
        ...

    async def exists(self, key: str) -> bool:
        """Tell whether an object is stored under the key."""
        ...

    async def size(self, key: str) -> int:
        """Return the object's size in bytes."""
        ...

    async def presigned_url(self, key: str, *, expires_in: int) -> str:
        """Return a URL that lets anyone holding it GET the object for expires_in seconds."""
        ...

    async def archive(self, key: str) -> str:
        """Move the object to colder storage, still readable; the key it is now stored under."""
        ...

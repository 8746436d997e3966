"""What counts as a video, told by its first bytes, and how large a video the bot can fetch.

A file's name and the MIME type a client declares are the sender's word; the container's own
signature is not. A PDF renamed "squat.mp4" is caught here, before it is stored; a file that
has a video's signature but does not decode is caught later by the pipeline (`probe`).
"""

from __future__ import annotations

from dataclasses import dataclass

MB = 1024 * 1024
# The cloud Bot API hands bots files up to 20 MB (getFile); a local Bot API server, up to 2 GB.
CLOUD_DOWNLOAD_LIMIT = 20 * MB
LOCAL_DOWNLOAD_LIMIT = 2000 * MB
# Enough of the head for every signature below (ftyp sits at offset 4).
SNIFF_BYTES = 64

# ISO base media brands that are audio or still images, not video.
_NOT_VIDEO_BRANDS = frozenset({b"M4A ", b"M4B ", b"M4P ", b"heic", b"heix", b"mif1", b"avif"})


@dataclass(frozen=True)
class Container:
    """A video container recognised by its signature, and how to store it."""

    name: str
    extension: str
    content_type: str


MP4 = Container("mp4", "mp4", "video/mp4")
QUICKTIME = Container("quicktime", "mov", "video/quicktime")
MATROSKA = Container("matroska", "mkv", "video/x-matroska")
WEBM = Container("webm", "webm", "video/webm")
AVI = Container("avi", "avi", "video/x-msvideo")
GIF = Container("gif", "gif", "image/gif")  # Telegram animations may be GIFs


def sniff(head: bytes) -> Container | None:
    """The video container these first bytes start, or None if they start no video."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _NOT_VIDEO_BRANDS:
            return None
        return QUICKTIME if brand == b"qt  " else MP4
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        # The EBML header names its doc type early; "webm" marks WebM, anything else Matroska.
        return WEBM if b"webm" in head[:SNIFF_BYTES] else MATROSKA
    if head.startswith(b"RIFF") and head[8:12] == b"AVI ":
        return AVI
    if head[:6] in (b"GIF87a", b"GIF89a"):
        return GIF
    return None


def download_limit(*, local_mode: bool) -> int:
    """The largest file the bot can fetch from Telegram, in bytes."""
    return LOCAL_DOWNLOAD_LIMIT if local_mode else CLOUD_DOWNLOAD_LIMIT


def too_large(size: int | None, *, local_mode: bool) -> bool:
    """Whether Telegram will refuse to hand the bot a file of this size."""
    return size is not None and size > download_limit(local_mode=local_mode)


def size_in_mb(size: int) -> str:
    """A size as people read it: "23.4"."""
    return f"{size / MB:.1f}"

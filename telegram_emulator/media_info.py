"""What Telegram reports about a file: a picture's size from its header, a video's from ffmpeg."""

from __future__ import annotations

import re
import struct
import subprocess
from dataclasses import dataclass
from pathlib import Path


def image_size(data: bytes) -> tuple[int, int] | None:
    """Width and height of a PNG, JPEG, GIF or WebP image, or None if not recognised."""
    if data.startswith(b"\x89PNG\r\n\x1a\n") and len(data) >= 24:
        return struct.unpack(">II", data[16:24])
    if data[:6] in (b"GIF87a", b"GIF89a") and len(data) >= 10:
        return struct.unpack("<HH", data[6:10])
    if data.startswith(b"RIFF") and data[8:12] == b"WEBP":
        return _webp_size(data)
    if data.startswith(b"\xff\xd8"):
        return _jpeg_size(data)
    return None


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    i = 2
    while i + 9 < len(data):
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        length = struct.unpack(">H", data[i + 2 : i + 4])[0]
        # Start-of-frame markers carry the dimensions; C4/C8/CC are not frames.
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
            height, width = struct.unpack(">HH", data[i + 5 : i + 9])
            return width, height
        i += 2 + length
    return None


def _webp_size(data: bytes) -> tuple[int, int] | None:
    chunk = data[12:16]
    if chunk == b"VP8 " and len(data) >= 30:
        width, height = struct.unpack("<HH", data[26:30])
        return width & 0x3FFF, height & 0x3FFF
    if chunk == b"VP8L" and len(data) >= 25:
        bits = int.from_bytes(data[21:25], "little")
        return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
    if chunk == b"VP8X" and len(data) >= 30:
        width = int.from_bytes(data[24:27], "little") + 1
        height = int.from_bytes(data[27:30], "little") + 1
        return width, height
    return None


def looks_like_video(data: bytes) -> bool:
    """MP4/MOV (ftyp box), WebM/Matroska, or AVI by their magic bytes."""
    return (
        data[4:8] == b"ftyp"
        or data.startswith(b"\x1a\x45\xdf\xa3")
        or (data.startswith(b"RIFF") and data[8:12] == b"AVI ")
    )


FFMPEG_TIMEOUT_S = 5.0
# Uploads are untrusted: ffmpeg may open only the uploaded file, read as one of the usual
# containers, which shuts out playlists and concat lists that would make it read other files.
CONTAINERS = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,flv,ogg,gif,mp3,wav"
_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #0:\d+.*?: Video: (.*)")
_SIZE = re.compile(r", (\d+)x(\d+)[ ,]")
_ROTATION = re.compile(r"rotation of (-?\d+(?:\.\d+)?) degrees")


@dataclass(frozen=True)
class MediaFacts:
    """Duration in whole seconds and the picture's size as displayed; 0 where not known."""

    duration: int = 0
    width: int = 0
    height: int = 0


def media_facts(path: Path) -> MediaFacts:
    """What ffmpeg reads from a video's or a voice message's header; zeros if it cannot."""
    try:
        import imageio_ffmpeg

        command = [
            imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-nostdin",
            "-protocol_whitelist", "file", "-format_whitelist", CONTAINERS,
            "-i", f"file:{path}",
        ]  # fmt: skip
        done = subprocess.run(
            command,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            timeout=FFMPEG_TIMEOUT_S,
            check=False,
        )
    except (ImportError, OSError, RuntimeError, subprocess.SubprocessError):
        return MediaFacts()
    return parse_ffmpeg_banner(done.stderr.decode("utf-8", "replace"))


def parse_ffmpeg_banner(text: str) -> MediaFacts:
    """The facts in what `ffmpeg -i file` prints about its input."""
    duration = _DURATION.search(text)
    seconds = 0
    if duration:
        hours, minutes, rest = duration.groups()
        seconds = int(int(hours) * 3600 + int(minutes) * 60 + float(rest) + 0.5)
    width = height = 0
    for line in _VIDEO.findall(text):
        size = _SIZE.search(line)
        if size and "attached pic" not in line:  # cover art of an audio file is no video
            width, height = int(size[1]), int(size[2])
            break
    rotation = _ROTATION.search(text)
    if rotation and round(abs(float(rotation[1]))) % 180 == 90:
        width, height = height, width  # a phone held upright: shown turned
    return MediaFacts(seconds, width, height)

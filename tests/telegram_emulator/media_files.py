"""Small real media files made with the bundled ffmpeg: a clip, a round clip, a voice, a GIF."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
from pathlib import Path

import imageio_ffmpeg


@dataclass(frozen=True)
class MediaFiles:
    """Where the generated files are; what each one holds is noted beside it."""

    clip: Path  # 320x240, 2 s, H.264 MP4
    upright_clip: Path  # the same, tagged as shot upright (rotation 90°): shown 240x320
    round_clip: Path  # 240x240, 3 s, the shape of a video message
    voice: Path  # 4 s of OGG/Opus, as the apps record voice messages
    gif: Path  # 64x48, 1 s


def _ffmpeg(*args: str) -> None:
    command = [imageio_ffmpeg.get_ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", *args]
    subprocess.run(command, check=True, timeout=60, stdin=subprocess.DEVNULL)


def _video(path: Path, size: str, seconds: int) -> Path:
    _ffmpeg(
        "-f", "lavfi", "-i", f"testsrc=size={size}:rate=10", "-t", str(seconds),
        "-pix_fmt", "yuv420p", "-c:v", "libx264", str(path),
    )  # fmt: skip
    return path


def make_media_files(folder: Path) -> MediaFiles:
    """Write the files into `folder`."""
    clip = _video(folder / "drill.mp4", "320x240", 2)
    upright = folder / "upright.mp4"
    _ffmpeg("-display_rotation", "90", "-i", str(clip), "-c", "copy", str(upright))
    voice = folder / "voice.ogg"
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=440", "-t", "4", "-c:a", "libopus", str(voice))
    gif = folder / "cheer.gif"
    _ffmpeg("-f", "lavfi", "-i", "testsrc=size=64x48:rate=5", "-t", "1", str(gif))
    return MediaFiles(clip, upright, _video(folder / "round.mp4", "240x240", 3), voice, gif)

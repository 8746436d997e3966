"""Synthetic training clips with a known answer, written through the bundled ffmpeg.

A bright disc on a still, textured background moves back and forth along one axis with position
(1 - cos(2πt/T)) / 2, so each repetition leaves the rest position and returns to it once; the
clip is still before and after the set. Sensor noise is drawn from a small bank of noise frames,
which keeps a 720p clip quick to generate.
"""

from __future__ import annotations

import math
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Literal

import cv2
import imageio_ffmpeg
import numpy as np

Axis = Literal["vertical", "horizontal"]
FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
NOISE_BANK = 8
# The disc travels between these fractions of the frame along its axis.
TRAVEL_FROM, TRAVEL_TO = 0.25, 0.75
TIMEOUT_S = 300


def make_clip(
    path: Path,
    *,
    reps: int,
    period_s: float,
    fps: int = 30,
    size: tuple[int, int] = (320, 240),
    lead_in_s: float = 1.0,
    lead_out_s: float = 1.0,
    noise: float = 0.0,
    axis: Axis = "vertical",
    audio: bool = False,
    codec: str = "libx264",
) -> Path:
    """A clip of `reps` repetitions of `period_s` each, still before and after; `noise` is σ."""
    seconds = lead_in_s + reps * period_s + lead_out_s
    count = round(seconds * fps)

    def position(t: float) -> float:
        moving = lead_in_s <= t < lead_in_s + reps * period_s
        return (1 - math.cos(2 * math.pi * (t - lead_in_s) / period_s)) / 2 if moving else 0.0

    frames = _frames(size, [position(i / fps) for i in range(count)], axis=axis, noise=noise)
    return _encode(path, frames, fps=fps, size=size, seconds=seconds, audio=audio, codec=codec)


def make_static_clip(
    path: Path,
    *,
    seconds: float,
    fps: int = 30,
    size: tuple[int, int] = (320, 240),
    noise: float = 4.0,
) -> Path:
    """A clip in which nothing moves: only sensor noise changes from frame to frame."""
    count = round(seconds * fps)
    frames = _frames(size, [0.0] * count, axis="vertical", noise=noise)
    return _encode(path, frames, fps=fps, size=size, seconds=seconds, audio=False, codec="libx264")


def make_audio_only(path: Path, *, seconds: float = 2.0) -> Path:
    """An M4A with a tone and no video stream: a container ffmpeg reads, without frames."""
    _ffmpeg(["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:a", "aac", path])
    return path


def make_rotated_copy(source: Path, path: Path, *, degrees: int = 90) -> Path:
    """`source` with a phone's display rotation tag, as a portrait clip shot sideways has."""
    _ffmpeg(["-display_rotation", str(degrees), "-i", source, "-c", "copy", path])
    return path


def make_photo_named_mp4(path: Path, *, size: tuple[int, int] = (320, 240)) -> Path:
    """A JPEG photo saved under a video's name: one picture is not a video."""
    ok, encoded = cv2.imencode(".jpg", _background(*size))
    assert ok
    path.write_bytes(encoded.tobytes())
    return path


def make_truncated_clip(source: Path, path: Path, *, keep: float = 0.5) -> Path:
    """The first `keep` of `source`'s bytes: an MP4 cut off mid-download."""
    data = source.read_bytes()
    path.write_bytes(data[: int(len(data) * keep)])
    return path


def make_random_mp4(path: Path, *, size: int = 64_000, seed: int = 7) -> Path:
    """Random bytes behind a genuine-looking `ftyp` box, so the file sniffs as MP4."""
    header = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    noise = np.random.default_rng(seed).integers(0, 256, size, dtype=np.uint8).tobytes()
    path.write_bytes(header + noise)
    return path


def make_pdf_named_mp4(path: Path) -> Path:
    """A small PDF document saved under a video's name."""
    path.write_bytes(
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )
    return path


def _frames(
    size: tuple[int, int], positions: list[float], *, axis: Axis, noise: float
) -> Iterator[np.ndarray]:
    width, height = size
    background = _background(width, height)
    radius = max(4, round(min(width, height) * 0.12))
    rng = np.random.default_rng(1)
    bank = [rng.normal(0.0, noise, (height, width)).astype(np.int16) for _ in range(NOISE_BANK)]
    for index, p in enumerate(positions):
        frame = background.copy()
        along = TRAVEL_FROM + (TRAVEL_TO - TRAVEL_FROM) * p
        centre = (
            (round(width * along), height // 2)
            if axis == "horizontal"
            else (width // 2, round(height * along))
        )
        cv2.circle(frame, centre, radius, 225, thickness=-1, lineType=cv2.LINE_AA)
        if noise > 0:
            noisy = frame.astype(np.int16) + bank[index % NOISE_BANK]
            frame = np.clip(noisy, 0, 255).astype(np.uint8)
        yield frame


def _background(width: int, height: int) -> np.ndarray:
    """Soft stripes and a few still blocks: texture that must not count as motion."""
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float32)
    shade = 70 + 25 * np.sin(xs / max(width, 1) * 9) * np.cos(ys / max(height, 1) * 5)
    image = shade.astype(np.uint8)
    for k in range(4):
        x, y = width * (k + 1) // 6, height * (k % 2 + 1) // 4
        cv2.rectangle(image, (x, y), (x + width // 14, y + height // 12), 30 + 30 * k, -1)
    return image


def _encode(
    path: Path,
    frames: Iterator[np.ndarray],
    *,
    fps: int,
    size: tuple[int, int],
    seconds: float,
    audio: bool,
    codec: str,
) -> Path:
    width, height = size
    args: list[str | Path] = ["-f", "rawvideo", "-pix_fmt", "gray", "-s", f"{width}x{height}"]
    args += ["-r", str(fps), "-i", "-"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=330:duration={seconds}"]
    args += ["-map", "0:v"] + (["-map", "1:a", "-c:a", "aac"] if audio else [])
    if codec == "libx264":
        args += ["-c:v", "libx264", "-preset", "ultrafast", "-crf", "20", "-pix_fmt", "yuv420p"]
    else:
        args += ["-c:v", codec, "-pix_fmt", "yuvj420p" if codec == "mjpeg" else "yuv420p"]
    _ffmpeg([*args, path], frames=frames)
    return path


def _ffmpeg(args: list[str | Path], *, frames: Iterator[np.ndarray] | None = None) -> None:
    command = [FFMPEG, "-hide_banner", "-loglevel", "error", "-y", *map(str, args)]
    stdin = subprocess.PIPE if frames is not None else subprocess.DEVNULL
    # A file, not a pipe, for ffmpeg's complaints: a full pipe would stall it mid-clip.
    with tempfile.TemporaryFile() as errors:
        with subprocess.Popen(command, stdin=stdin, stderr=errors) as process:
            if frames is not None and process.stdin is not None:
                for frame in frames:
                    process.stdin.write(frame.tobytes())
                process.stdin.close()
            process.wait(timeout=TIMEOUT_S)
        errors.seek(0)
        message = errors.read().decode(errors="replace")[-500:]
    if process.returncode != 0:
        raise RuntimeError(f"ffmpeg failed: {message}")

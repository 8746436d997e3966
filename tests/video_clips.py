"""Synthetic training clips with a known answer, written through the bundled ffmpeg.

A bright disc on a still, textured background moves back and forth along one axis with position
(1 - cos(2πt/T)) / 2, so each repetition leaves the rest position and returns to it once; the
clip is still before and after the set. Sensor noise is drawn from a small bank of noise frames,
which keeps a 720p clip quick to generate. For pose estimation, a drawn person (head with a
face, shirt, trousers, bare forearms) squats with the same timing: the hips go down and the knees
bend outwards, seen from the front.
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
# The standing figure's height as a share of the frame's; its body is measured in head units.
FIGURE_HEIGHT, FIGURE_UNITS = 0.8, 8.5
GROUND = 0.93  # of the frame's height, where the feet stand
# Knee angle in the image plane, standing and at the bottom of a squat (degrees).
KNEE_STANDING, KNEE_BOTTOM = 175.0, 95.0
# BGR colours: a pale wall, and a person whose parts stand out from it and from each other.
WALL, SKIN, SHIRT = (222, 226, 230), (120, 160, 215), (170, 90, 40)
TROUSERS, SHOES, FEATURES = (60, 50, 45), (30, 30, 30), (40, 30, 30)


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


def make_figure_clip(
    path: Path,
    *,
    reps: int,
    period_s: float,
    fps: int = 30,
    size: tuple[int, int] = (480, 640),
    lead_in_s: float = 1.0,
    lead_out_s: float = 1.0,
    noise: float = 0.0,
    audio: bool = False,
) -> Path:
    """A person doing `reps` squats of `period_s` each, standing still before and after."""
    seconds = lead_in_s + reps * period_s + lead_out_s
    count = round(seconds * fps)

    def depth(t: float) -> float:
        moving = lead_in_s <= t < lead_in_s + reps * period_s
        return (1 - math.cos(2 * math.pi * (t - lead_in_s) / period_s)) / 2 if moving else 0.0

    frames = _figure_frames(size, [depth(i / fps) for i in range(count)], noise=noise)
    return _encode(path, frames, fps=fps, size=size, seconds=seconds, audio=audio, pix_fmt="bgr24")


def make_audio_only(path: Path, *, seconds: float = 2.0) -> Path:
    """An M4A with a tone and no video stream: a container ffmpeg reads, without frames."""
    _ffmpeg(["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}", "-c:a", "aac", path])
    return path


def make_rotated_copy(source: Path, path: Path, *, degrees: int = 90) -> Path:
    """`source` with a phone's display rotation tag, as a portrait clip shot sideways has."""
    _ffmpeg(["-display_rotation", str(degrees), "-i", source, "-c", "copy", path])
    return path


def make_copy_with_sound(
    source: Path, path: Path, *, codec: str, channels: int = 1, bitrate: str = "128k"
) -> Path:
    """`source`'s pictures as they are, its sound encoded again with `codec` (mp2, opus...)."""
    args = ["-i", source, "-map", "0", "-c:v", "copy", "-c:a", codec, "-ac", str(channels)]
    _ffmpeg([*args, "-b:a", bitrate, path])
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


def _figure_frames(
    size: tuple[int, int], depths: list[float], *, noise: float
) -> Iterator[np.ndarray]:
    width, height = size
    unit = FIGURE_HEIGHT * height / FIGURE_UNITS
    rng = np.random.default_rng(1)
    bank = [rng.normal(0.0, noise, (height, width, 1)).astype(np.int16) for _ in range(NOISE_BANK)]
    for index, depth in enumerate(depths):
        frame = np.full((height, width, 3), WALL, dtype=np.uint8)
        _draw_figure(frame, unit, centre_x=width / 2, ground=GROUND * height, depth=depth)
        if noise > 0:
            noisy = frame.astype(np.int16) + bank[index % NOISE_BANK]
            frame = np.clip(noisy, 0, 255).astype(np.uint8)
        yield frame


Point = tuple[float, float]


def _figure_joints(
    unit: float, *, centre_x: float, ground: float, depth: float
) -> dict[str, Point]:
    """Where the drawn person's parts are, `depth` of the way (0..1) down into a squat."""
    knee_angle = math.radians(KNEE_STANDING - (KNEE_STANDING - KNEE_BOTTOM) * depth)
    leg = 2.0 * unit  # thigh and shin alike
    ankle_y = ground - 0.25 * unit
    # Feet a little wider than the hips: the hips sit where hip-to-ankle spans the bent leg.
    reach = 2 * leg * math.sin(knee_angle / 2)
    hip_y = ankle_y - math.sqrt(reach**2 - (0.4 * unit) ** 2)
    shoulder_y = hip_y - 2.8 * unit
    joints = {"pelvis": (centre_x, hip_y), "head": (centre_x, shoulder_y - 0.9 * unit)}
    # Facing the camera, the person's right side is on the image's left.
    for name, side in (("right", -1), ("left", 1)):
        hip = np.array([centre_x + side * 0.6 * unit, hip_y])
        ankle = np.array([centre_x + side * 1.0 * unit, ankle_y])
        # The knee goes outwards, off the hip-to-ankle line by what the bend takes up.
        along = (ankle - hip) / np.linalg.norm(ankle - hip)
        outwards = side * np.array([along[1], -along[0]])
        knee = (hip + ankle) / 2 + outwards * leg * math.cos(knee_angle / 2)
        shoulder = np.array([centre_x + side * 0.62 * unit, shoulder_y + 0.15 * unit])
        elbow = shoulder + np.array([side * 0.35, 1.4]) * unit
        wrist = elbow + np.array([side * 0.1, 1.25]) * unit
        points = {"hip": hip, "knee": knee, "ankle": ankle, "shoulder": shoulder, "elbow": elbow}
        points |= {"wrist": wrist, "foot": ankle + np.array([side * 0.25, 0.15]) * unit}
        joints |= {f"{name}_{part}": (float(x), float(y)) for part, (x, y) in points.items()}
    return joints


def _draw_figure(
    frame: np.ndarray, unit: float, *, centre_x: float, ground: float, depth: float
) -> None:
    """A person seen from the front: limbs as thick lines, clothes and skin in plain colours."""
    joint = _figure_joints(unit, centre_x=centre_x, ground=ground, depth=depth)

    def at(name: str, dx: float = 0.0, dy: float = 0.0) -> tuple[int, int]:
        x, y = joint[name]
        return round(x + dx * unit), round(y + dy * unit)

    def px(value: float) -> int:
        return max(1, round(value * unit))

    aa = cv2.LINE_AA
    for side in ("left", "right"):
        hip, knee, ankle, foot = (f"{side}_{part}" for part in ("hip", "knee", "ankle", "foot"))
        shoulder, elbow, wrist = (f"{side}_{part}" for part in ("shoulder", "elbow", "wrist"))
        cv2.ellipse(frame, at(foot), (px(0.4), px(0.16)), 0, 0, 360, SHOES, -1, aa)
        cv2.line(frame, at(knee), at(ankle), TROUSERS, px(0.38), aa)
        cv2.line(frame, at(hip), at(knee), TROUSERS, px(0.45), aa)
        cv2.line(frame, at(elbow), at(wrist), SKIN, px(0.25), aa)
        cv2.circle(frame, at(wrist, dy=0.1), px(0.17), SKIN, -1, aa)  # the hand
        cv2.line(frame, at(shoulder), at(elbow), SHIRT, px(0.32), aa)
    cv2.rectangle(frame, at("pelvis", -0.7, -0.3), at("pelvis", 0.7, 0.35), TROUSERS, -1)
    cv2.rectangle(frame, at("pelvis", -0.7, -2.8), at("pelvis", 0.7, -0.3), SHIRT, -1)
    cv2.rectangle(frame, at("head", -0.18, 0.5), at("head", 0.18, 0.9), SKIN, -1)  # the neck
    cv2.ellipse(frame, at("head"), (px(0.4), px(0.55)), 0, 0, 360, SKIN, -1, aa)
    for dx in (-0.15, 0.15):
        cv2.circle(frame, at("head", dx, -0.08), px(0.06), FEATURES, -1, aa)
    cv2.ellipse(frame, at("head", dy=0.2), (px(0.15), px(0.07)), 0, 0, 180, FEATURES, px(0.04), aa)


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
    codec: str = "libx264",
    pix_fmt: str = "gray",
) -> Path:
    width, height = size
    args: list[str | Path] = ["-f", "rawvideo", "-pix_fmt", pix_fmt, "-s", f"{width}x{height}"]
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

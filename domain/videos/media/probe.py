"""The bundled ffmpeg: run it with a deadline, read decoded frames from it, probe a file with it.

There is no ffprobe next to imageio-ffmpeg's binary, so a probe reads what `ffmpeg -i` prints
about the input and then decodes one tiny frame, because a readable header does not prove the
pictures decode. Uploads are untrusted: ffmpeg may only open local files and the usual video
containers, which shuts out playlists and concat lists that would make it read other files.
"""

from __future__ import annotations

import contextlib
import fcntl
import re
import subprocess
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, NamedTuple

import imageio_ffmpeg
import numpy as np

FFMPEG = imageio_ffmpeg.get_ffmpeg_exe()
CONTAINERS = "mov,mp4,m4a,3gp,3g2,mj2,matroska,webm,avi,mpegts,mpeg,flv,asf,ogg,gif,h264,hevc"
PROBE_TIMEOUT_S = 30.0
STDERR_TAIL_LINES = 40
PIPE_BYTES = 1024 * 1024  # Linux's most for a process without privileges
# `V`, not `v`: a video stream that is not cover art.
VIDEO_STREAM = "0:V:0"
DEFAULT_FPS = 30.0

_DURATION = re.compile(r"Duration: (\d+):(\d\d):(\d\d(?:\.\d+)?)")
_VIDEO = re.compile(r"Stream #0:\d+.*?: Video: (\w+)(.*)")
_SIZE = re.compile(r"[ ,](\d{2,5})x(\d{2,5})\b")
_RATE = re.compile(r"(\d+(?:\.\d+)?)(k?) (fps|tbr)")
_ROTATION = re.compile(r"rotation of (-?\d+(?:\.\d+)?) degrees")
_AUDIO = re.compile(r"Stream #0:\d+.*?: Audio: (\w+)(.*)")
_BITRATE = re.compile(r"(\d+) kb/s")
_OUT_TIME = re.compile(r"out_time_us=(\d+)")
_FRAME_COUNT = re.compile(r"^frame=(\d+)", re.MULTILINE)


class VideoRefused(Exception):
    """A video the pipeline cannot take; permanent: retrying the same file cannot help."""

    def __init__(self, message_key: str, detail: str = "") -> None:
        super().__init__(f"{message_key}: {detail}" if detail else message_key)
        self.message_key = message_key
        self.detail = detail

    def __reduce__(self) -> tuple[type[VideoRefused], tuple[str, str]]:
        # Raised in the job's own process and re-raised in the worker: it must survive pickling.
        return (type(self), (self.message_key, self.detail))


@dataclass(frozen=True)
class ProbeInfo:
    """What a video file holds, as displayed (a phone's rotation already applied)."""

    duration_s: float
    width: int
    height: int
    fps: float
    codec: str | None
    has_audio: bool
    audio_codec: str | None = None  # the first sound track's, as ffmpeg names it ("aac")
    audio_kbps: int | None = None  # its bit rate, when the file says


def input_args(path: Path) -> list[str]:
    """The ffmpeg arguments that open `path` as an untrusted local video."""
    return [
        "-protocol_whitelist", "file",
        "-format_whitelist", CONTAINERS,
        "-i", f"file:{path}",
    ]  # fmt: skip


class Ffmpeg:
    """One running ffmpeg; its stderr is drained so a chatty decoder never stalls it."""

    def __init__(self, args: Sequence[str], *, stdout: int | IO[bytes] = subprocess.DEVNULL):
        command = [FFMPEG, "-hide_banner", "-nostdin", "-loglevel", "error", *args]
        self.process = subprocess.Popen(
            command, stdin=subprocess.DEVNULL, stdout=stdout, stderr=subprocess.PIPE
        )
        self._tail: deque[str] = deque(maxlen=STDERR_TAIL_LINES)
        self._drain = threading.Thread(target=self._read_stderr, daemon=True)
        self._drain.start()

    @property
    def stdout(self) -> IO[bytes]:
        """The pipe ffmpeg writes its output to (when started with stdout=PIPE)."""
        assert self.process.stdout is not None
        return self.process.stdout

    def wait(self, timeout_s: float) -> int:
        """The exit code; past the deadline ffmpeg is killed and TimeoutError raised."""
        try:
            code = self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.kill()
            raise TimeoutError(f"ffmpeg took longer than {timeout_s:.0f} s") from None
        self._drain.join(timeout=5)
        return code

    def kill(self) -> None:
        """Stop ffmpeg now (a no-op when it has already finished)."""
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        self._drain.join(timeout=5)

    def errors(self) -> str:
        """The last lines ffmpeg wrote to stderr."""
        return "\n".join(self._tail)

    def _read_stderr(self) -> None:
        assert self.process.stderr is not None
        for line in self.process.stderr:
            self._tail.append(line.decode(errors="replace").rstrip())


def run_ffmpeg(args: Sequence[str], *, timeout_s: float) -> tuple[int, bytes, str]:
    """Run ffmpeg to completion: exit code, stdout and the tail of stderr."""
    command = [FFMPEG, "-hide_banner", "-nostdin", *args]
    try:
        done = subprocess.run(command, capture_output=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired:
        raise TimeoutError(f"ffmpeg took longer than {timeout_s:.0f} s") from None
    return done.returncode, done.stdout, done.stderr.decode(errors="replace")[-4000:]


class Sampling(NamedTuple):
    """Which frames to read and how: `size` (width, height), `fps`, gray (1) or RGB (3)."""

    size: tuple[int, int]
    fps: float
    channels: int = 1


def frames_output(sampling: Sampling) -> list[str]:
    """ffmpeg output arguments writing the video's frames, so sampled, raw to its stdout."""
    width, height = sampling.size
    filters = f"fps={sampling.fps:g},scale={width}:{height}:flags=area"
    pix_fmt = "gray" if sampling.channels == 1 else "rgb24"
    args = ["-map", VIDEO_STREAM, "-vf", filters, "-an", "-sn", "-dn"]
    return [*args, "-f", "rawvideo", "-pix_fmt", pix_fmt, "-"]


def start_frames_pipe(args: Sequence[str]) -> Ffmpeg:
    """ffmpeg with `args`, one of its outputs `frames_output` (stdout), its pipe widened."""
    ffmpeg = Ffmpeg(args, stdout=subprocess.PIPE)
    # A wider pipe lets ffmpeg run ahead of a reader that is busy a moment (its other output,
    # a transcode, need not wait); Linux's default is 64 kB, four 160 px frames.
    with contextlib.suppress(OSError, AttributeError):
        fcntl.fcntl(ffmpeg.stdout.fileno(), fcntl.F_SETPIPE_SZ, PIPE_BYTES)
    return ffmpeg


def frames_from(
    ffmpeg: Ffmpeg, sampling: Sampling, *, timeout_s: float, owner: bool
) -> Iterator[np.ndarray]:
    """The frames `ffmpeg` writes to its stdout, as `frames_output(sampling)` asked: gray
    (H, W) or RGB (H, W, 3). ffmpeg is killed past `timeout_s`. When this reader is its
    `owner`, the exit code is checked at the end and ffmpeg never outlives the reading."""
    width, height = sampling.size
    frame_bytes = width * height * sampling.channels
    shape = (height, width) if sampling.channels == 1 else (height, width, sampling.channels)
    timed_out = threading.Event()

    def stop() -> None:
        timed_out.set()
        ffmpeg.kill()

    watchdog = threading.Timer(timeout_s, stop)
    watchdog.start()
    code = 0
    try:
        while len(chunk := ffmpeg.stdout.read(frame_bytes)) == frame_bytes:
            yield np.frombuffer(chunk, dtype=np.uint8).reshape(shape)
        if owner:
            code = ffmpeg.wait(timeout_s)
    finally:
        # Also reached when the reader stops early: ffmpeg must not outlive the generator.
        watchdog.cancel()
        if owner or timed_out.is_set():
            ffmpeg.kill()
    if timed_out.is_set():
        raise TimeoutError(f"decoding took longer than {timeout_s:.0f} s")
    if code != 0:
        raise VideoRefused("video.refused.not_decodable", _last_line(ffmpeg.errors()))


def read_frames(
    path: Path,
    *,
    size: tuple[int, int],
    fps: float,
    channels: int = 1,
    timeout_s: float,
) -> Iterator[np.ndarray]:
    """Decoded frames of `path` at `fps`, scaled to `size`: gray (H, W) or RGB (H, W, 3)."""
    sampling = Sampling(size, fps, channels)
    # Started at the first frame asked for: a generator never started has nothing to stop.
    ffmpeg = start_frames_pipe([*input_args(path), *frames_output(sampling)])
    yield from frames_from(ffmpeg, sampling, timeout_s=timeout_s, owner=True)


def probe(path: Path, *, max_duration_s: float) -> ProbeInfo:
    """Duration, size, frame rate, codec and audio of `path`, or VideoRefused with the reason."""
    if not path.is_file():
        raise FileNotFoundError(path)
    _, _, header = run_ffmpeg(input_args(path), timeout_s=PROBE_TIMEOUT_S)
    if "Input #0" not in header:
        raise VideoRefused("video.refused.not_decodable", _last_line(header))
    # Cover art shows up as a video stream too; `-map 0:V:0` skips it the same way.
    video = next((m for m in _VIDEO.finditer(header) if "(attached pic)" not in m.group(2)), None)
    if video is None:
        raise VideoRefused("video.refused.no_frames", "no video stream")
    fps = _frame_rate(video.group(2))
    duration = _duration(header) or _measured_duration(path, max_duration_s, fps)
    if duration > max_duration_s:
        raise VideoRefused("video.refused.too_long", f"{duration:.1f} s > {max_duration_s:g} s")
    _require_a_frame(path)
    width, height = _displayed_size(video.group(2), header)
    audio = _AUDIO.search(header)
    return ProbeInfo(
        duration_s=round(duration, 3),
        width=width,
        height=height,
        fps=fps,
        codec=video.group(1),
        has_audio=audio is not None,
        audio_codec=audio and audio.group(1),
        audio_kbps=_audio_kbps(audio),
    )


def _duration(header: str) -> float:
    found = _DURATION.search(header)
    if found is None:
        return 0.0
    hours, minutes, seconds = found.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def _measured_duration(path: Path, max_duration_s: float, fps: float) -> float:
    """Length of a stream whose header does not say: copy packets to nowhere and time them."""
    # Copying stops just past the limit, so a huge headerless stream is not read to its end.
    limit = f"{max_duration_s + 1:g}"
    args = [*input_args(path), "-map", VIDEO_STREAM, "-t", limit, "-c", "copy", "-f", "null", "-"]
    _, out, _ = run_ffmpeg(["-nostats", "-progress", "pipe:1", *args], timeout_s=PROBE_TIMEOUT_S)
    progress = out.decode(errors="replace")
    if times := _OUT_TIME.findall(progress):
        return int(times[-1]) / 1e6
    # A raw stream has no timestamps; its frames at the nominal rate are all there is.
    frames = _FRAME_COUNT.findall(progress)
    return int(frames[-1]) / fps if frames else 0.0


def _require_a_frame(path: Path) -> None:
    """Decode one 16×16 frame: a header alone does not prove the pictures decode."""
    args = [*input_args(path), "-map", VIDEO_STREAM, "-frames:v", "1", "-vf", "scale=16:16"]
    code, out, errors = run_ffmpeg(
        ["-loglevel", "error", *args, "-f", "rawvideo", "-pix_fmt", "gray", "-"],
        timeout_s=PROBE_TIMEOUT_S,
    )
    if len(out) >= 16 * 16:
        return
    if code != 0:
        raise VideoRefused("video.refused.not_decodable", _last_line(errors))
    raise VideoRefused("video.refused.no_frames", "no frame decoded")


def _displayed_size(stream: str, header: str) -> tuple[int, int]:
    size = _SIZE.search(stream)
    if size is None:
        raise VideoRefused("video.refused.not_decodable", "no picture size")
    width, height = int(size.group(1)), int(size.group(2))
    rotation = _ROTATION.search(header)
    # ffmpeg turns a phone's portrait clip upright when it decodes, so report that shape.
    if rotation and round(abs(float(rotation.group(1)))) % 180 == 90:
        return height, width
    return width, height


def _audio_kbps(audio: re.Match[str] | None) -> int | None:
    rate = _BITRATE.search(audio.group(2)) if audio else None
    return int(rate.group(1)) if rate else None


def _frame_rate(stream: str) -> float:
    rates = {kind: float(value) * (1000 if k else 1) for value, k, kind in _RATE.findall(stream)}
    rate = rates.get("fps") or rates.get("tbr") or DEFAULT_FPS
    return round(rate, 3)


def _last_line(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return lines[-1][-300:] if lines else ""

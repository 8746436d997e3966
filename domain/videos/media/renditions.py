"""What people watch: a JPEG thumbnail and a web-friendly MP4 made from the uploaded file.

The MP4 plays everywhere (H.264 High, yuv420p, AAC, moov atom first) and is at most 720p: the
short side at most 720 px and the long side at most 1280, so a phone's portrait clip stays as
sharp as a landscape one. Metadata is dropped on the way, phone location included.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from domain.videos.media.probe import (
    VIDEO_STREAM,
    Ffmpeg,
    ProbeInfo,
    Sampling,
    VideoRefused,
    frames_from,
    frames_output,
    input_args,
    run_ffmpeg,
    start_frames_pipe,
)

SHORT_SIDE_MAX, LONG_SIDE_MAX = 720, 1280
THUMBNAIL_WIDTH_MAX = 640
# mjpeg's -q:v runs from 2 (best) to 31; 4 is sharp at a fraction of the size.
THUMBNAIL_QUALITY = 4
# A slow-motion clip need not be played back at 240 frames per second.
FPS_MAX = 60
CRF = 26
AUDIO_BITRATE = "128k"
# AAC up to this rate goes into the MP4 as it came: encoding it again cost a second of CPU
# for a 30 s clip (more than a tenth of all its processing) and loses a little quality.
AUDIO_COPY_KBPS_MAX = 320
THUMBNAIL_TIMEOUT_S = 30.0


def rendition_size(width: int, height: int) -> tuple[int, int]:
    """The rendition's width and height: inside 1280×720 either way round, even, never larger."""
    short, long = min(width, height), max(width, height)
    scale = min(1.0, SHORT_SIDE_MAX / short, LONG_SIDE_MAX / long)
    # x264's 4:2:0 needs even sides; rounding down never upscales.
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def rendition_timeout_s(duration_s: float) -> float:
    """How long a transcode of a clip this long may take before it counts as stuck."""
    return 60.0 + 4.0 * duration_s


def make_thumbnail(raw: Path, probe: ProbeInfo, out: Path) -> Path:
    """A JPEG of a representative frame near the start, at most 640 px wide."""
    # A tenth of the way in, past any fade-in but still showing the set's start position.
    at = min(probe.duration_s * 0.1, 3.0)
    width = min(THUMBNAIL_WIDTH_MAX, probe.width) // 2 * 2
    # `thumbnail` picks the frame closest to the average of the next few, not a blurred one.
    filters = f"thumbnail={max(2, round(min(probe.fps, 30) / 2))},scale={width}:-2"
    for seek in (at, 0.0):
        args = ["-loglevel", "error", "-ss", f"{seek:.3f}", *input_args(raw), "-map", VIDEO_STREAM]
        args += ["-vf", filters, "-frames:v", "1", "-q:v", str(THUMBNAIL_QUALITY)]
        code, _, errors = run_ffmpeg(
            [*args, "-map_metadata", "-1", "-f", "image2", "-c:v", "mjpeg", "-y", str(out)],
            timeout_s=THUMBNAIL_TIMEOUT_S,
        )
        if code == 0 and out.is_file() and out.stat().st_size > 0:
            return out
    raise _failure(errors)


class Rendition:
    """The MP4 transcode running in its own ffmpeg while Python does other work; with
    `frames`, the same ffmpeg also hands Python the decoded frames so sampled."""

    def __init__(
        self, raw: Path, probe: ProbeInfo, out: Path, frames: Sampling | None = None
    ) -> None:
        self.out = out
        self.timeout_s = rendition_timeout_s(probe.duration_s)
        args = [*input_args(raw), *_encoding_args(probe), "-y", str(out)]
        self._sampling = frames
        if frames is None:
            self._ffmpeg = Ffmpeg(args)
        else:
            # One decode for both: a second pass over a 720p clip cost a tenth of its CPU.
            self._ffmpeg = start_frames_pipe([*args, *frames_output(frames)])

    def frames(self) -> Iterator[np.ndarray]:
        """The frames asked for at the start, as the transcode decodes them; read them all
        (the transcode waits for a reader that falls far behind). `wait()` says whether the
        upload decoded to its end."""
        if self._sampling is None:
            raise ValueError("this rendition was started without frames")
        return frames_from(self._ffmpeg, self._sampling, timeout_s=self.timeout_s, owner=False)

    def wait(self) -> Path:
        """The finished MP4; VideoRefused when ffmpeg could not read the upload."""
        code = self._ffmpeg.wait(self.timeout_s)
        if code != 0 or not self.out.is_file() or self.out.stat().st_size == 0:
            raise _failure(self._ffmpeg.errors())
        return self.out

    def cancel(self) -> None:
        """Stop the transcode (the work directory is removed by the caller)."""
        self._ffmpeg.kill()


def keeps_sound(probe: ProbeInfo) -> bool:
    """Whether the web MP4 carries the upload's sound as it came: AAC at a moderate rate."""
    kbps = probe.audio_kbps
    return probe.audio_codec == "aac" and (kbps is None or kbps <= AUDIO_COPY_KBPS_MAX)


def start_rendition(
    raw: Path, probe: ProbeInfo, out: Path, *, frames: Sampling | None = None
) -> Rendition:
    """Start transcoding `raw` to the web MP4 at `out`; `wait()` on the result for the file,
    and with `frames` read the decoded frames from `frames()` meanwhile."""
    return Rendition(raw, probe, out, frames)


def _failure(errors: str) -> Exception:
    """What an ffmpeg failure means: our disk is full (retry later), or the upload is bad."""
    detail = errors.strip()[-300:]
    if "No space left on device" in errors:
        return OSError(errno.ENOSPC, detail)
    return VideoRefused("video.refused.not_decodable", detail)


def _encoding_args(probe: ProbeInfo) -> list[str]:
    width, height = rendition_size(probe.width, probe.height)
    filters = f"scale={width}:{height},setsar=1"
    if probe.fps > FPS_MAX:
        filters += f",fps={FPS_MAX}"
    video = ["-map", VIDEO_STREAM, "-vf", filters, "-c:v", "libx264", "-preset", "veryfast"]
    video += ["-crf", str(CRF), "-pix_fmt", "yuv420p", "-profile:v", "high"]
    audio = ["-map", "0:a:0?", *_audio_codec_args(probe)] if probe.has_audio else []
    container = ["-map_metadata", "-1", "-map_chapters", "-1", "-sn", "-dn"]
    return [*video, *(audio or ["-an"]), *container, "-movflags", "+faststart", "-f", "mp4"]


def _audio_codec_args(probe: ProbeInfo) -> list[str]:
    return ["-c:a", "copy"] if keeps_sound(probe) else ["-c:a", "aac", "-b:a", AUDIO_BITRATE]

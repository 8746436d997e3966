"""One uploaded video in, everything people see about it out: the media pipeline's entry point.

`process` is synchronous and CPU only; it reads the raw file and writes only into `workdir`.
The web MP4 is transcoded by its own ffmpeg process while Python analyses the motion, so the
two share the machine's cores instead of taking turns; that ffmpeg decodes the upload once for
both, handing Python the small gray frames motion is measured on.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.videos.media.chart import write_motion_charts
from domain.videos.media.chart_words import ChartWords
from domain.videos.media.motion import Motion, analysis_sampling, motion_of_frames
from domain.videos.media.pose import analyse_pose
from domain.videos.media.probe import ProbeInfo, VideoRefused, probe
from domain.videos.media.renditions import make_thumbnail, start_rendition

__all__ = [
    "ANALYSIS_VERSION",
    "ChartWords",
    "ProbeInfo",
    "Processed",
    "VideoRefused",
    "analysis_of",
    "process",
]

# Bump when the analysis dict changes meaning, so stored results can be told apart.
ANALYSIS_VERSION = 1
THUMBNAIL_NAME, RENDITION_NAME = "thumbnail.jpg", "rendition.mp4"


@dataclass(frozen=True)
class Processed:
    """The files made from one video (all inside the work directory) and its analysis."""

    probe: ProbeInfo
    thumbnail: Path  # JPEG
    rendition: Path  # MP4, H.264/AAC, at most 720p
    charts: dict[str, Path]  # PNG per language
    analysis: dict[str, Any]  # JSON-ready; stored as video_analysis.analysis_results


def process(
    raw: Path,
    workdir: Path,
    *,
    chart_words: Mapping[str, ChartWords],
    max_duration_s: float = 600,
    with_pose: bool = True,
) -> Processed:
    """Thumbnail, web rendition, motion analysis and a chart per language; VideoRefused if unfit."""
    workdir.mkdir(parents=True, exist_ok=True)
    info = probe(raw, max_duration_s=max_duration_s)
    outputs = [workdir / name for name in (THUMBNAIL_NAME, RENDITION_NAME)]
    if raw.resolve() in {path.resolve() for path in outputs}:
        raise ValueError(f"{raw} would be overwritten by an output; keep it under another name")
    thumbnail_path, rendition_path = outputs
    sampling = analysis_sampling(info)
    rendition = start_rendition(raw, info, rendition_path, frames=sampling)
    try:
        thumbnail = make_thumbnail(raw, info, thumbnail_path)
        motion = motion_of_frames(rendition.frames(), sampling)
        charts = write_motion_charts(motion, workdir, chart_words)
        pose = analyse_pose(raw, info, motion.reps) if with_pose else _POSE_DISABLED
        video = rendition.wait()
    finally:
        rendition.cancel()  # on any failure above: no ffmpeg left running behind us
    return Processed(
        probe=info,
        thumbnail=thumbnail,
        rendition=video,
        charts=charts,
        analysis=analysis_of(info, motion, pose),
    )


def analysis_of(info: ProbeInfo, motion: Motion, pose: dict[str, Any]) -> dict[str, Any]:
    """The analysis dict stored with the video (see docs/videos-analysis.md)."""
    return {
        "version": ANALYSIS_VERSION,
        "video": {
            "duration_s": round(info.duration_s, 3),
            "width": info.width,
            "height": info.height,
            "fps": round(info.fps, 3),
            "codec": info.codec,
            "has_audio": info.has_audio,
        },
        "motion": motion.as_dict(),
        "pose": pose,
    }


_POSE_DISABLED: dict[str, Any] = {"available": False, "reason": "disabled"}

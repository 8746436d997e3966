"""What a video's own process runs (`domain.videos.processing`): the pipeline on one video, its
results in plain types.

This module is what that process unpickles its job from, and what the worker unpickles the
results with, so it imports nothing but the standard library and the chart's words. Were they
in `processing`, every video's process would load SQLAlchemy, Redis and boto3 (0.85 s of CPU
and 80 MB a video); were they beside the pipeline, the worker would load numpy and OpenCV.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.videos.media.chart_words import ChartWords


@dataclass(frozen=True)
class Processed:
    """What the job's process made: files in its work directory, and the analysis."""

    thumbnail: Path
    rendition: Path
    charts: dict[str, Path]  # PNG by language
    duration_s: float
    analysis: dict[str, Any]


@dataclass(frozen=True)
class Refusal:
    """The pipeline refused the video (`pipeline.VideoRefused`), as the job's process reports it."""

    message_key: str
    detail: str


def run_pipeline(
    raw: Path, workdir: Path, *, max_duration_s: float, chart_words: dict[str, ChartWords]
) -> Processed | Refusal:
    """The pipeline on one video, in the job's own process: its results, or why it refused."""
    # Imported here: the worker's long-lived process never needs numpy, OpenCV or MediaPipe.
    from domain.videos.media import pipeline

    try:
        made = pipeline.process(
            raw, workdir, max_duration_s=max_duration_s, chart_words=chart_words
        )
    except pipeline.VideoRefused as refused:
        return Refusal(refused.message_key, refused.detail)
    return Processed(
        made.thumbnail, made.rendition, made.charts, made.probe.duration_s, made.analysis
    )

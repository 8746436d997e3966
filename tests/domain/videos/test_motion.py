"""Motion analysis: repetitions, tempo and activity of synthetic clips with a known answer."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from domain.videos.media.motion import (
    Motion,
    analyse_motion,
    analysis_fps,
    analysis_size,
    motion_from_measurements,
)
from domain.videos.media.probe import probe
from tests.video_clips import make_clip, make_static_clip

CASES: list[dict[str, Any]] = [
    {"reps": 5, "period_s": 1.2, "fps": 30, "size": (320, 240)},
    {"reps": 8, "period_s": 2.0, "fps": 24, "size": (320, 240), "noise": 8.0},
    {"reps": 12, "period_s": 1.5, "fps": 60, "size": (320, 240), "axis": "horizontal"},
    {"reps": 6, "period_s": 3.0, "fps": 30, "size": (640, 360), "noise": 5.0},
    {"reps": 10, "period_s": 1.2, "fps": 25, "size": (240, 320), "axis": "horizontal"},
    {"reps": 7, "period_s": 2.5, "fps": 30, "size": (320, 240), "noise": 12.0, "lead_in_s": 2.5},
    {"reps": 9, "period_s": 1.8, "fps": 30, "size": (320, 180), "axis": "horizontal"},
]


def _analyse(path: Path) -> Motion:
    return analyse_motion(path, probe(path, max_duration_s=600))


@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c['reps']}x{c['period_s']}s@{c['fps']}")
def test_reps_and_tempo_match_the_clip(tmp_path: Path, case: dict[str, Any]) -> None:
    motion = _analyse(make_clip(tmp_path / "clip.mp4", **case))

    assert abs(len(motion.reps) - case["reps"]) <= 1
    assert motion.tempo_rpm == pytest.approx(60 / case["period_s"], rel=0.10)
    assert motion.period_s == pytest.approx(case["period_s"], rel=0.10)


def test_even_reps_are_consistent_and_start_one_period_apart(tmp_path: Path) -> None:
    motion = _analyse(make_clip(tmp_path / "clip.mp4", reps=6, period_s=1.5, noise=4.0))

    assert motion.consistency is not None and motion.consistency > 0.9
    starts = [rep.start_s for rep in motion.reps]
    assert starts[0] == pytest.approx(1.0, abs=0.2)
    assert np.diff(starts) == pytest.approx([1.5] * 5, abs=0.15)


def test_a_static_clip_has_no_reps_and_no_activity(tmp_path: Path) -> None:
    motion = _analyse(make_static_clip(tmp_path / "still.mp4", seconds=5, noise=10.0))

    assert motion.reps == ()
    assert motion.active_segments == ()
    assert (motion.tempo_rpm, motion.period_s, motion.consistency) == (None, None, None)
    assert len(motion.timeline) == 5
    assert max(motion.timeline) == 0.0


def test_the_active_segment_and_timeline_follow_the_set(tmp_path: Path) -> None:
    clip = make_clip(tmp_path / "clip.mp4", reps=4, period_s=1.5, lead_in_s=2.0, lead_out_s=2.0)

    motion = _analyse(clip)

    ((start, end),) = motion.active_segments
    assert start == pytest.approx(2.0, abs=0.3)
    assert end == pytest.approx(8.0, abs=0.3)
    assert len(motion.timeline) == 10
    assert all(0.0 <= value <= 1.0 for value in motion.timeline)
    assert max(motion.timeline[:2]) == 0.0 and max(motion.timeline[-2:]) == 0.0
    assert min(motion.timeline[2:8]) > 0.3


def test_consistency_is_unknown_below_three_reps(tmp_path: Path) -> None:
    motion = _analyse(make_clip(tmp_path / "clip.mp4", reps=2, period_s=1.5))

    assert len(motion.reps) == 2
    assert motion.consistency is None


def _swinging(
    reps: int, period_s: float, *, fps: float = 15.0, lead_s: float = 1.0
) -> tuple[np.ndarray, np.ndarray]:
    """Per-frame measurements of something swinging along a diagonal `reps` times."""
    times = np.arange(round((2 * lead_s + reps * period_s) * fps)) / fps
    moving = (times >= lead_s) & (times < lead_s + reps * period_s)
    speed = np.sin(2 * math.pi * (times - lead_s) / period_s) * moving * 3.0
    flow = np.stack([speed * 0.6, speed * 0.8], axis=1)
    share = np.where(moving, 0.02, 0.0)
    return share, flow


def test_the_count_does_not_depend_on_which_way_the_axis_points() -> None:
    share, flow = _swinging(7, 2.0)

    one_way = motion_from_measurements(share, flow, fps=15.0)
    other_way = motion_from_measurements(share, -flow, fps=15.0)

    assert len(one_way.reps) == len(other_way.reps) == 7
    assert one_way.tempo_rpm == pytest.approx(other_way.tempo_rpm)


def test_two_sets_count_as_two_segments_with_all_their_reps() -> None:
    first_share, first_flow = _swinging(5, 1.5, lead_s=1.0)
    rest_share, rest_flow = np.zeros(75), np.zeros((75, 2))
    second_share, second_flow = _swinging(4, 1.5, lead_s=1.0)
    share = np.concatenate([first_share, rest_share, second_share])
    flow = np.concatenate([first_flow, rest_flow, second_flow])

    motion = motion_from_measurements(share, flow, fps=15.0)

    assert len(motion.active_segments) == 2
    assert len(motion.reps) == 9
    assert motion.tempo_rpm == pytest.approx(40.0, rel=0.05)


def test_analysis_frames_are_small_and_evenly_sampled() -> None:
    assert analysis_size(1280, 720) == (160, 90)
    assert analysis_size(1080, 1920) == (90, 160)
    assert analysis_fps(30) == 15
    assert analysis_fps(60) == 15
    assert analysis_fps(24) == 12
    assert analysis_fps(10) == 10

"""Pose keypoints with the real MediaPipe, through the whole pipeline, on a drawn person squatting.

The figure (tests/video_clips.py) stands with its knees at about 175° and bends them to about
95° at the bottom of each squat, seen from the front. The main environment has no mediapipe
(it needs numpy < 2), so these run in their own one.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip(
    "mediapipe", reason="the pose extra is not installed; `make test-pose` runs these"
)

from domain.videos.media.chart_words import ChartWords
from domain.videos.media.pipeline import Processed, process
from tests.video_clips import make_clip, make_figure_clip, make_static_clip

WORDS = {"en": ChartWords("seconds", "How much they moved")}

KNEES = ("left_knee", "right_knee")


@dataclass(frozen=True)
class Squats:
    reps: int
    period_s: float
    size: tuple[int, int]
    noise: float = 0.0


CASES = [
    Squats(reps=5, period_s=2.0, size=(480, 640)),
    Squats(reps=6, period_s=1.5, size=(720, 1280), noise=2.0),
    Squats(reps=4, period_s=2.5, size=(640, 480), noise=4.0),  # landscape: a smaller person
]


@pytest.fixture(scope="module", params=CASES, ids=lambda c: f"{c.reps}x{c.period_s}s-{c.size}")
def squats(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Squats, Processed]:
    case: Squats = request.param
    folder = tmp_path_factory.mktemp("squats")
    raw = make_figure_clip(
        folder / "raw.mp4",
        reps=case.reps,
        period_s=case.period_s,
        size=case.size,
        noise=case.noise,
    )
    return case, process(raw, folder / "work", chart_words=WORDS)


def _pose(processed: Processed) -> dict[str, Any]:
    return processed.analysis["pose"]


def test_mediapipe_finds_the_person(squats: tuple[Squats, Processed]) -> None:
    pose = _pose(squats[1])

    assert pose["available"] is True
    assert pose["detected"] is True


def test_motion_counts_the_squats(squats: tuple[Squats, Processed]) -> None:
    case, processed = squats
    motion = processed.analysis["motion"]

    assert abs(motion["reps"] - case.reps) <= 1
    assert motion["tempo_rpm"] == pytest.approx(60 / case.period_s, rel=0.1)


def test_there_is_one_pose_entry_per_counted_rep(squats: tuple[Squats, Processed]) -> None:
    case, processed = squats
    per_rep = _pose(processed)["per_rep"]

    assert len(per_rep) == processed.analysis["motion"]["reps"]
    assert abs(len(per_rep) - case.reps) <= 1
    assert [entry["rep"] for entry in per_rep] == list(range(1, len(per_rep) + 1))


def test_the_knees_go_from_straight_to_deeply_bent(squats: tuple[Squats, Processed]) -> None:
    ranges = _pose(squats[1])["ranges"]

    for knee in KNEES:
        assert ranges[knee]["max"] >= 160
        assert ranges[knee]["min"] <= 130


def test_every_rep_bends_the_knees(squats: tuple[Squats, Processed]) -> None:
    for entry in _pose(squats[1])["per_rep"]:
        for knee in KNEES:
            assert entry["angles"][knee]["range"] >= 40, (entry["rep"], knee)
            assert entry["angles"][knee]["min"] <= 130, (entry["rep"], knee)


@pytest.mark.parametrize("moving", [False, True], ids=["still", "moving-disc"])
def test_a_clip_without_a_person_has_pose_available_but_nobody_detected(
    tmp_path: Path, moving: bool
) -> None:
    raw = (
        make_clip(tmp_path / "raw.mp4", reps=3, period_s=1.0)
        if moving
        else make_static_clip(tmp_path / "raw.mp4", seconds=3)
    )

    pose = _pose(process(raw, tmp_path / "work", chart_words=WORDS))

    assert pose == {"available": True, "detected": False, "per_rep": [], "ranges": {}}

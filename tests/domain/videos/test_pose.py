"""Pose keypoints: optional, summed up per rep, and never the reason a video fails.

mediapipe is not installed here, so its documented interface is stood in for by a small fake
(`solutions.pose.Pose(...)` as a context manager whose `process(rgb)` returns landmarks).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path
from types import ModuleType, SimpleNamespace
from typing import Any

import numpy as np
import pytest

from domain.videos.media.motion import Rep
from domain.videos.media.pose import JOINTS, PoseSample, analyse_pose, joint_angle, summarise_pose
from domain.videos.media.probe import ProbeInfo, probe
from tests.video_clips import make_clip


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pose") / "clip.mp4"
    return make_clip(path, reps=2, period_s=1.0, fps=20, size=(320, 240), lead_in_s=0.5)


@pytest.fixture(scope="module")
def info(clip: Path) -> ProbeInfo:
    return probe(clip, max_duration_s=600)


def _landmark(x: float, y: float, visibility: float = 0.9) -> SimpleNamespace:
    return SimpleNamespace(x=x, y=y, z=0.0, visibility=visibility)


def _body_with_knees_at(knee_angle: float) -> list[SimpleNamespace]:
    """33 landmarks: upright body, both knees bent to `knee_angle` (normalised coordinates)."""
    points = [_landmark(0.5, 0.5) for _ in range(33)]
    for hip, knee, ankle in ((23, 25, 27), (24, 26, 28)):
        points[hip] = _landmark(0.5, 0.4)
        points[knee] = _landmark(0.5, 0.6)
        # An ankle placed so the angle at the knee is `knee_angle`, in pixels of a 320×240 frame.
        turn = np.radians(180 - knee_angle)
        points[ankle] = _landmark(0.5 + 0.2 * np.sin(turn) * 240 / 320, 0.6 + 0.2 * np.cos(turn))
    return points


def _fake_mediapipe(process: Any) -> ModuleType:
    class Pose:
        def __init__(self, **options: Any) -> None:
            assert options["static_image_mode"] is False
            assert options["model_complexity"] == 1

        def __enter__(self) -> Pose:
            return self

        def __exit__(self, *exc: object) -> None:
            return None

        def process(self, image: np.ndarray) -> Any:
            assert image.ndim == 3 and image.shape[2] == 3 and image.dtype == np.uint8
            return process(image)

    module = ModuleType("mediapipe")
    module.solutions = SimpleNamespace(pose=SimpleNamespace(Pose=Pose))  # type: ignore[attr-defined]
    return module


def test_without_mediapipe_the_pose_part_says_not_installed(
    clip: Path, info: ProbeInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "mediapipe", None)  # makes `import mediapipe` fail

    assert analyse_pose(clip, info, []) == {"available": False, "reason": "not_installed"}


def test_joint_angles_are_summed_up_per_rep_and_for_the_clip(
    clip: Path, info: ProbeInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = iter(range(10_000))

    def process(image: np.ndarray) -> Any:
        # Knees alternate between 90° and 170° from one sampled frame to the next.
        angle = 90.0 if next(calls) % 2 else 170.0
        return SimpleNamespace(pose_landmarks=SimpleNamespace(landmark=_body_with_knees_at(angle)))

    monkeypatch.setitem(sys.modules, "mediapipe", _fake_mediapipe(process))
    reps = [Rep(0.5, 1.5), Rep(1.5, 2.5)]

    pose = analyse_pose(clip, info, reps)

    assert pose["available"] is True and pose["detected"] is True
    knee = pose["ranges"]["left_knee"]
    assert knee["min"] == pytest.approx(90, abs=1) and knee["max"] == pytest.approx(170, abs=1)
    assert knee["range"] == pytest.approx(80, abs=2)
    assert [rep["rep"] for rep in pose["per_rep"]] == [1, 2]
    assert pose["per_rep"][1]["angles"]["right_knee"]["range"] == pytest.approx(80, abs=2)


def test_no_person_in_the_frames_means_not_detected(
    clip: Path, info: ProbeInfo, monkeypatch: pytest.MonkeyPatch
) -> None:
    nobody = SimpleNamespace(pose_landmarks=None)
    monkeypatch.setitem(sys.modules, "mediapipe", _fake_mediapipe(lambda image: nobody))

    pose = analyse_pose(clip, info, [Rep(0.5, 1.5)])

    assert pose == {"available": True, "detected": False, "per_rep": [], "ranges": {}}


def test_a_mediapipe_failure_is_logged_and_reported_not_raised(
    clip: Path, info: ProbeInfo, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def process(image: np.ndarray) -> Any:
        raise RuntimeError("graph crashed")

    monkeypatch.setitem(sys.modules, "mediapipe", _fake_mediapipe(process))

    with caplog.at_level(logging.ERROR, logger="domain.videos.media.pose"):
        pose = analyse_pose(clip, info, [])

    assert pose == {"available": False, "reason": "failed"}
    assert "pose estimation failed" in caplog.text


def test_hidden_joints_are_left_out_of_the_ranges() -> None:
    seen = {joint: None for joint in JOINTS} | {"left_elbow": 120.0}
    samples = [PoseSample(at_s=0.1 * i, angles=dict(seen)) for i in range(5)]

    pose = summarise_pose(samples, [Rep(0.0, 0.5)])

    assert set(pose["ranges"]) == {"left_elbow"}
    assert pose["per_rep"][0]["angles"] == {"left_elbow": {"min": 120, "max": 120, "range": 0}}


def test_joint_angle_is_measured_at_the_middle_point() -> None:
    assert joint_angle((0, 1), (0, 0), (1, 0)) == pytest.approx(90)
    assert joint_angle((0, 1), (0, 0), (0, -1)) == pytest.approx(180)
    assert joint_angle((1, 1), (0, 0), (1, 1)) == pytest.approx(0, abs=1e-4)

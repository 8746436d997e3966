"""Joint angles from body keypoints, when the optional `pose` extra (mediapipe) is installed.

MediaPipe Pose runs in video mode (it tracks the person from frame to frame) on frames sampled
at about 10 per second and at most 480 px on the long side. Knee, hip and elbow angles on both
sides are measured in pixels (so a wide frame does not skew them) wherever all three landmarks
are visible, then summed up per repetition and for the whole clip. Without mediapipe, or if it
fails, the analysis says so instead of failing the video.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from domain.videos.media.motion import Rep
from domain.videos.media.probe import ProbeInfo, read_frames

log = logging.getLogger(__name__)

POSE_FPS_MAX = 10.0
LONG_SIDE_MAX_PX = 480
VISIBILITY_MIN = 0.5
# Below this share of sampled frames with a person found, the detections are likely flukes.
DETECTED_SHARE = 0.25
# MediaPipe Pose landmark numbers (mediapipe.solutions.pose.PoseLandmark); the angle is at the
# middle one.
JOINTS: Mapping[str, tuple[int, int, int]] = {
    "left_knee": (23, 25, 27),  # hip, knee, ankle
    "right_knee": (24, 26, 28),
    "left_hip": (11, 23, 25),  # shoulder, hip, knee
    "right_hip": (12, 24, 26),
    "left_elbow": (11, 13, 15),  # shoulder, elbow, wrist
    "right_elbow": (12, 14, 16),
}

Angles = dict[str, float | None]


@dataclass(frozen=True)
class PoseSample:
    """The joint angles (degrees) found in one frame at `at_s`; None where a joint is hidden."""

    at_s: float
    angles: Angles | None  # None: no person found in the frame


def analyse_pose(raw: Path, probe: ProbeInfo, reps: Sequence[Rep]) -> dict[str, Any]:
    """The `pose` part of the analysis; says why when keypoints are unavailable."""
    try:
        import mediapipe
    except ImportError:
        return {"available": False, "reason": "not_installed"}
    except Exception:  # a broken install (say, a protobuf clash) must not fail the video
        log.exception("mediapipe is installed but does not import")
        return {"available": False, "reason": "failed"}
    try:
        samples = _samples(mediapipe, raw, probe)
    except Exception:
        log.exception("pose estimation failed on %s", raw.name)
        return {"available": False, "reason": "failed"}
    return summarise_pose(samples, reps)


def summarise_pose(samples: Sequence[PoseSample], reps: Sequence[Rep]) -> dict[str, Any]:
    """Per-rep and whole-clip min, max and range of each joint angle."""
    found = [sample for sample in samples if sample.angles is not None]
    detected = bool(samples) and len(found) >= DETECTED_SHARE * len(samples)
    if not detected:
        return {"available": True, "detected": False, "per_rep": [], "ranges": {}}
    per_rep = [
        {
            "rep": number,
            "start_s": round(rep.start_s, 2),
            "end_s": round(rep.end_s, 2),
            "angles": _ranges(s for s in found if rep.start_s <= s.at_s <= rep.end_s),
        }
        for number, rep in enumerate(reps, start=1)
    ]
    return {"available": True, "detected": True, "per_rep": per_rep, "ranges": _ranges(found)}


def joint_angle(a: tuple[float, float], b: tuple[float, float], c: tuple[float, float]) -> float:
    """The angle at `b` between the segments to `a` and to `c`, in degrees (0..180)."""
    ba = (a[0] - b[0], a[1] - b[1])
    bc = (c[0] - b[0], c[1] - b[1])
    norms = math.hypot(*ba) * math.hypot(*bc)
    if norms == 0:
        return 0.0
    cosine = (ba[0] * bc[0] + ba[1] * bc[1]) / norms
    return math.degrees(math.acos(max(-1.0, min(1.0, cosine))))


def pose_size(width: int, height: int) -> tuple[int, int]:
    """Frame size for pose estimation: at most 480 px on the long side, even, never larger."""
    scale = min(1.0, LONG_SIDE_MAX_PX / max(width, height, 1))
    return max(2, int(width * scale) // 2 * 2), max(2, int(height * scale) // 2 * 2)


def _samples(mediapipe: ModuleType, raw: Path, probe: ProbeInfo) -> list[PoseSample]:
    source_fps = probe.fps if probe.fps > 0 else POSE_FPS_MAX
    fps = source_fps / math.ceil(source_fps / POSE_FPS_MAX - 1e-9)
    width, height = pose_size(probe.width, probe.height)
    timeout_s = 120.0 + 4.0 * probe.duration_s
    frames = read_frames(raw, size=(width, height), fps=fps, channels=3, timeout_s=timeout_s)
    samples: list[PoseSample] = []
    with (
        closing(frames),
        mediapipe.solutions.pose.Pose(
            static_image_mode=False,
            model_complexity=1,
            min_detection_confidence=0.5,
            min_tracking_confidence=0.5,
        ) as estimator,
    ):
        for index, frame in enumerate(frames):
            # Frames from the pipe are read-only views of bytes; hand mediapipe its own array.
            result = estimator.process(np.array(frame, copy=True))
            landmarks = result.pose_landmarks
            angles = None if landmarks is None else _angles(landmarks.landmark, width, height)
            samples.append(PoseSample(at_s=index / fps, angles=angles))
    return samples


def _angles(landmarks: Sequence[Any], width: int, height: int) -> Angles:
    angles: Angles = {}
    for joint, (a, b, c) in JOINTS.items():
        points = [landmarks[i] for i in (a, b, c)]
        if min(point.visibility for point in points) < VISIBILITY_MIN:
            angles[joint] = None
            continue
        pa, pb, pc = ((point.x * width, point.y * height) for point in points)
        angles[joint] = joint_angle(pa, pb, pc)
    return angles


def _ranges(samples: Iterable[PoseSample]) -> dict[str, dict[str, float]]:
    values: dict[str, list[float]] = {joint: [] for joint in JOINTS}
    for sample in samples:
        for joint, angle in (sample.angles or {}).items():
            if angle is not None:
                values[joint].append(angle)
    return {
        joint: {
            "min": round(min(seen), 1),
            "max": round(max(seen), 1),
            "range": round(max(seen) - min(seen), 1),
        }
        for joint, seen in values.items()
        if seen
    }

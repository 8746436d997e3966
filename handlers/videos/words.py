"""A video's analysis in words, for the athlete's side, the coach and /videos alike."""

from __future__ import annotations

from typing import Any

from bot.i18n import t
from handlers.shared.echo import echo

# The joints whose angle ranges are put in words (left and right sides merged).
JOINTS = ("knee", "hip", "elbow")


def caption_part(caption: str | None, lang: str | None) -> str:
    """The sender's caption as it follows "Anna's video": ` ("squat set 3")`, or nothing."""
    return t("video.caption_part", lang, caption=echo(caption)) if caption else ""


def clock(seconds: float | int | None) -> str:
    """A duration as on a video player: 0:34, 12:05."""
    if seconds is None:
        return "—"
    total = round(seconds)
    return f"{total // 60}:{total % 60:02d}"


def analysis_lines(analysis: dict[str, Any] | None, lang: str | None) -> str:
    """Duration, repetitions, tempo, consistency and how far the joints bent, a line each."""
    analysis = analysis or {}
    motion = analysis.get("motion") or {}
    video = analysis.get("video") or {}
    reps = motion.get("reps")
    tempo, consistency = motion.get("tempo_rpm"), motion.get("consistency")
    lines = [
        t("video.analysis.duration", lang, duration=clock(video.get("duration_s"))),
        t("video.analysis.reps", lang, reps=reps) if reps else t("video.analysis.no_reps", lang),
    ]
    if reps and tempo:
        lines.append(t("video.analysis.tempo", lang, tempo=f"{tempo:.0f}"))
    if reps and consistency is not None:
        lines.append(t("video.analysis.consistency", lang, percent=f"{consistency * 100:.0f}"))
    pose = analysis.get("pose") or {}
    # Without pose measurement (no extra installed, or it failed) there is nothing to tell a
    # parent: a line about the server would only puzzle them.
    if pose.get("available"):
        lines.append(pose_line(pose, lang))
    return "\n".join(lines)


def pose_line(pose: dict[str, Any], lang: str | None) -> str:
    """How far the joints bent when the body was seen; else that it was not seen clearly."""
    ranges = pose.get("ranges") or {}
    if not pose.get("detected") or not ranges:
        return t("video.analysis.pose_none", lang)
    parts = [
        t(
            "video.analysis.pose_joint",
            lang,
            joint=t(f"video.joint.{joint}", lang),
            low=low,
            high=high,
        )
        for joint, low, high in _joint_ranges(ranges)
    ]
    return t("video.analysis.pose_ranges", lang, ranges=", ".join(parts))


def _joint_ranges(ranges: dict[str, Any]) -> list[tuple[str, int, int]]:
    """(knee|hip|elbow, lowest, highest angle) over both sides, for the joints that were seen."""
    found = []
    for joint in JOINTS:
        lows, highs = [], []
        for name, value in ranges.items():
            if joint in name and isinstance(value, dict):
                if value.get("min") is not None:
                    lows.append(float(value["min"]))
                if value.get("max") is not None:
                    highs.append(float(value["max"]))
        if lows and highs:
            found.append((joint, round(min(lows)), round(max(highs))))
    return found


def failure_reason(reason: str | None, lang: str | None) -> str:
    """Why a video could not be analysed, in words."""
    try:
        return t(f"video.reason.{reason or 'failed'}", lang)
    except KeyError:
        return t("video.reason.failed", lang)

"""A video's analysis in words a parent reads: nothing about servers, joints in plain words."""

from __future__ import annotations

import pytest

from handlers.videos.delivery import chart_for
from handlers.videos.words import analysis_lines

MOTION = {"reps": 6, "tempo_rpm": 40.0, "consistency": 0.9}
VIDEO = {"duration_s": 11.0}


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("reason", ["not_installed", "disabled", "failed"])
def test_without_pose_measurement_the_analysis_says_nothing_about_joints(
    lang: str, reason: str
) -> None:
    analysis = {"video": VIDEO, "motion": MOTION, "pose": {"available": False, "reason": reason}}

    text = analysis_lines(analysis, lang)

    assert len(text.splitlines()) == 4  # duration, reps, tempo, consistency
    for jargon in ("server", "servidor", "🦴", "angle", "ángulo"):
        assert jargon not in text.lower()


def test_joint_ranges_are_said_as_how_far_the_joints_bent() -> None:
    pose = {
        "available": True,
        "detected": True,
        "ranges": {"left_knee": {"min": 80, "max": 170}, "right_knee": {"min": 85, "max": 172}},
    }

    text = analysis_lines({"video": VIDEO, "motion": MOTION, "pose": pose}, "en")

    assert text.splitlines()[-1] == "🦵 How far the joints bent: knee 80°–172°"


def test_a_pose_not_seen_clearly_is_said_plainly_or_not_at_all() -> None:
    pose = {"available": True, "detected": False, "ranges": {}}

    text = analysis_lines({"video": VIDEO, "motion": MOTION, "pose": pose}, "es")

    assert "pose" not in text.lower()


def test_the_chart_sent_is_the_one_in_the_readers_language_else_english() -> None:
    analysis = {"chart_keys": {"en": "motion-en.png", "es": "motion-es.png"}}

    assert chart_for(analysis, "es") == "motion-es.png"
    assert chart_for(analysis, "de") == "motion-en.png"
    assert chart_for(analysis, None) == "motion-en.png"
    # A video analysed before charts were drawn per language has its one chart.
    assert chart_for({"chart_key": "motion.png"}, "es") == "motion.png"
    assert chart_for(None, "es") is None


def test_the_chart_is_found_for_a_regional_language_code_and_without_an_english_one() -> None:
    # Charts are drawn in the languages of those told: maybe Spanish alone.
    analysis = {"chart_keys": {"es": "motion-es.png"}}

    assert chart_for(analysis, "es-MX") == "motion-es.png"
    # Someone who switched to German since still gets the one chart there is.
    assert chart_for(analysis, "de") == "motion-es.png"

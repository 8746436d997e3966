"""The motion chart: a small PNG of the movement with the reps marked."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np

from domain.videos.media.chart import HEIGHT_PX, WIDTH_PX, render_motion_chart, write_motion_chart
from domain.videos.media.motion import Motion, motion_from_measurements


def _motion(reps: int) -> Motion:
    fps, period_s = 15.0, 1.5
    times = np.arange(round((2 + reps * period_s) * fps)) / fps
    moving = (times >= 1) & (times < 1 + reps * period_s)
    speed = np.sin(2 * math.pi * (times - 1) / period_s) * moving * 3.0
    return motion_from_measurements(
        np.where(moving, 0.02, 0.0), np.stack([0 * speed, speed], axis=1), fps=fps
    )


def test_the_chart_is_a_png_of_the_fixed_size(tmp_path: Path) -> None:
    path = write_motion_chart(_motion(5), tmp_path / "chart.png")

    image = cv2.imread(str(path))
    assert image.shape == (HEIGHT_PX, WIDTH_PX, 3)


def test_a_clip_without_movement_still_gets_a_chart() -> None:
    still = motion_from_measurements(np.zeros(30), np.zeros((30, 2)), fps=15.0)

    png = render_motion_chart(still, x_label="Zeit (s)", y_label="Bewegung")

    assert png.startswith(b"\x89PNG")

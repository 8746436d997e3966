"""The motion chart: a small PNG of the movement with the reps marked."""

from __future__ import annotations

import math
from pathlib import Path

import cv2
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.text import Text

from domain.videos.media.chart import (
    HEIGHT_PX,
    WIDTH_PX,
    motion_chart_figure,
    render_motion_chart,
    write_motion_charts,
)
from domain.videos.media.chart_words import ChartWords
from domain.videos.media.motion import Motion, motion_from_measurements


def _motion(reps: int) -> Motion:
    fps, period_s = 15.0, 1.5
    times = np.arange(round((2 + reps * period_s) * fps)) / fps
    moving = (times >= 1) & (times < 1 + reps * period_s)
    speed = np.sin(2 * math.pi * (times - 1) / period_s) * moving * 3.0
    return motion_from_measurements(
        np.where(moving, 0.02, 0.0), np.stack([0 * speed, speed], axis=1), fps=fps
    )


WORDS = {
    "en": ChartWords("seconds", "How much they moved"),
    "es": ChartWords("segundos", "Cuánto se movió"),
}


def test_the_chart_is_a_png_of_the_fixed_size_in_each_language(tmp_path: Path) -> None:
    charts = write_motion_charts(_motion(5), tmp_path, WORDS)

    assert set(charts) == {"en", "es"}
    assert charts["en"].read_bytes() != charts["es"].read_bytes()
    for path in charts.values():
        image = cv2.imread(str(path))
        assert image.shape == (HEIGHT_PX, WIDTH_PX, 3)


def test_a_clip_without_movement_still_gets_a_chart() -> None:
    still = motion_from_measurements(np.zeros(30), np.zeros((30, 2)), fps=15.0)

    png = render_motion_chart(still, ChartWords("Sekunden", "Wie viel bewegt"))

    assert png.startswith(b"\x89PNG")


# Telegram shows a photo as wide as the phone's chat: about 390 px on a common phone.
PHONE_WIDTH_PX, READABLE_PX = 390, 12


def test_every_word_and_number_on_the_chart_is_readable_on_a_phone() -> None:
    figure = motion_chart_figure(_motion(5), WORDS["en"])
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    shrink = PHONE_WIDTH_PX / WIDTH_PX

    texts = [text for text in figure.findobj(Text) if text.get_visible() and text.get_text()]

    assert {"seconds", "How much they moved", "1", "5"} <= {text.get_text() for text in texts}
    for text in texts:
        shown_px = text.get_fontsize() * figure.dpi / 72 * shrink
        assert shown_px >= READABLE_PX, (text.get_text(), round(shown_px, 1))
    drawn = figure.get_tightbbox(renderer)  # inches, of what is drawn: nothing cut off
    assert drawn.x0 >= 0 and drawn.y0 >= 0
    assert drawn.x1 * figure.dpi <= WIDTH_PX and drawn.y1 * figure.dpi <= HEIGHT_PX

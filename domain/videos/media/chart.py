"""The motion chart: speed along the main direction of movement over time, reps marked.

Drawn like handlers/metrics/charts.py: matplotlib's object API on an Agg canvas (no pyplot and its
global state), a fixed layout, the PNG encoded once from the drawn pixels. The chart is drawn by
the worker before anyone reads it, so it is drawn once per language of the people it goes to,
with the words the caller passes in.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from domain.adapters.chart_png import canvas_png
from domain.videos.media.chart_words import ChartWords
from domain.videos.media.motion import Motion

WIDTH_PX, HEIGHT_PX, DPI = 800, 450, 100
# Telegram shows the photo about 390 px wide on a phone, half its size: 19 pt is 26 px here,
# 13 px there, the least a parent reads without zooming.
TEXT_PT = 19
PLOT_BOX = (0.07, 0.2, 0.91, 0.68)
LINE, ACTIVE, REP_A, REP_B, EDGE = "#1f6feb", "#f6f8fa", "#ffe8a3", "#ffd166", "#57606a"
# Above this many rep numbers they would run into each other: every second (third...) one.
NUMBERS_AT_MOST = 12


def render_motion_chart(motion: Motion, words: ChartWords) -> bytes:
    """A WIDTH_PX × HEIGHT_PX PNG of the motion signal with active stretches and reps shaded."""
    canvas = FigureCanvasAgg(motion_chart_figure(motion, words))
    canvas.draw()
    return canvas_png(canvas)


def motion_chart_figure(motion: Motion, words: ChartWords) -> Figure:
    """The motion chart drawn on a figure of WIDTH_PX × HEIGHT_PX pixels."""
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    axes = figure.add_axes(PLOT_BOX)
    for start, end in motion.active_segments:
        axes.axvspan(start, end, color=ACTIVE, zorder=0)
    step = math.ceil(len(motion.reps) / NUMBERS_AT_MOST) if motion.reps else 1
    for number, rep in enumerate(motion.reps, start=1):
        axes.axvspan(rep.start_s, rep.end_s, color=REP_A if number % 2 else REP_B, zorder=1)
        if number % step == 0 or number == 1:
            middle = (rep.start_s + rep.end_s) / 2
            axes.text(middle, 1.0, str(number), transform=axes.get_xaxis_transform(),
                      ha="center", va="bottom", fontsize=TEXT_PT, color=EDGE)  # fmt: skip
    axes.plot(motion.times_s, motion.velocity, color=LINE, linewidth=2.0, zorder=2)
    axes.axhline(0.0, color=EDGE, linewidth=0.8, zorder=1)
    end = float(motion.times_s[-1]) if len(motion.times_s) else 1.0
    axes.set_xlim(0.0, max(end, 1.0))
    axes.xaxis.set_major_locator(MaxNLocator(nbins=6, integer=True))
    axes.tick_params(axis="x", labelsize=TEXT_PT, colors=EDGE)
    axes.set_xlabel(words.time, fontsize=TEXT_PT)
    axes.set_ylabel(words.movement, fontsize=TEXT_PT)
    axes.set_yticks([])  # the speed's unit means nothing to a reader; its shape does
    axes.spines[["top", "right", "left"]].set_visible(False)
    return figure


def write_motion_charts(
    motion: Motion, workdir: Path, words: Mapping[str, ChartWords]
) -> dict[str, Path]:
    """The chart in each language of `words`, as `motion-chart-<language>.png` in `workdir`."""
    charts = {}
    for language, language_words in words.items():
        path = workdir / f"motion-chart-{language}.png"
        path.write_bytes(render_motion_chart(motion, language_words))
        charts[language] = path
    return charts

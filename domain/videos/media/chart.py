"""The motion chart: speed along the main direction of movement over time, reps marked.

Drawn like handlers/metrics/charts.py: matplotlib's object API on an Agg canvas (no pyplot and its
global
state), a fixed layout, the PNG encoded once from the drawn pixels. The chart is drawn once per
video, before anyone's language is known, so its labels are short and passed in by the caller
when it has words in the viewer's language.
"""

from __future__ import annotations

from pathlib import Path

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from domain.adapters.chart_png import canvas_png
from domain.videos.media.motion import Motion

WIDTH_PX, HEIGHT_PX, DPI = 800, 300, 100
PLOT_BOX = (0.08, 0.16, 0.9, 0.74)
LINE, ACTIVE, REP_A, REP_B, EDGE = "#1f6feb", "#f6f8fa", "#ffe8a3", "#ffd166", "#8b949e"
# Above this many reps a number on each would crowd the top edge.
NUMBERS_UP_TO = 40


def render_motion_chart(
    motion: Motion,
    *,
    x_label: str = "time (s)",
    y_label: str = "movement speed",
) -> bytes:
    """A WIDTH_PX × HEIGHT_PX PNG of the motion signal with active stretches and reps shaded."""
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_axes(PLOT_BOX)
    for start, end in motion.active_segments:
        axes.axvspan(start, end, color=ACTIVE, zorder=0)
    for number, rep in enumerate(motion.reps, start=1):
        axes.axvspan(rep.start_s, rep.end_s, color=REP_A if number % 2 else REP_B, zorder=1)
        if len(motion.reps) <= NUMBERS_UP_TO:
            middle = (rep.start_s + rep.end_s) / 2
            axes.text(middle, 1.0, str(number), transform=axes.get_xaxis_transform(),
                      ha="center", va="bottom", fontsize=8, color="#57606a")  # fmt: skip
    axes.plot(motion.times_s, motion.velocity, color=LINE, linewidth=1.2, zorder=2)
    axes.axhline(0.0, color=EDGE, linewidth=0.6, zorder=1)
    end = float(motion.times_s[-1]) if len(motion.times_s) else 1.0
    axes.set_xlim(0.0, max(end, 1.0))
    axes.set_xlabel(x_label)
    axes.set_ylabel(y_label)
    axes.set_yticks([])  # the speed's unit means nothing to a reader; its shape does
    axes.spines[["top", "right", "left"]].set_visible(False)
    canvas.draw()
    return canvas_png(canvas)


def write_motion_chart(motion: Motion, path: Path) -> Path:
    """`render_motion_chart` written to `path`."""
    path.write_bytes(render_motion_chart(motion))
    return path

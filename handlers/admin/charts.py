"""/stats as a chart: people by role and sessions by status, side by side, as PNG.

Drawn like the progress charts (`handlers/metrics/charts.py`): matplotlib's object API on an
Agg canvas, never pyplot, encoded by `domain.adapters.chart_png`, in a worker thread.
"""

from __future__ import annotations

import asyncio

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.i18n import t
from domain.adapters.chart_png import canvas_png
from domain.admin.stats import Stats
from handlers.admin.render import role_word, status_word

WIDTH_PX, HEIGHT_PX, DPI = 1000, 500, 100
SESSION_STATUSES = ("requested", "scheduled", "completed", "cancelled", "no_show")
COLOURS = ("#1f6feb", "#f2a900")


def render_stats(stats: Stats, lang: str | None) -> bytes:
    """Two bar charts: people by role, sessions by status."""
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    canvas = FigureCanvasAgg(figure)
    people, sessions = (
        figure.add_axes((0.07, 0.15, 0.40, 0.72)),
        figure.add_axes((0.56, 0.15, 0.40, 0.72)),
    )
    roles = sorted(stats.people)
    people.bar(
        [role_word(r, lang) for r in roles],
        [sum(stats.people[r].values()) for r in roles],
        color=COLOURS[0],
    )
    people.set_title(t("admin.chart.people", lang))
    counts = [stats.sessions.get(s, 0) for s in SESSION_STATUSES]
    sessions.bar([status_word(s, lang) for s in SESSION_STATUSES], counts, color=COLOURS[1])
    sessions.set_title(t("admin.chart.sessions", lang))
    for axes in (people, sessions):
        axes.tick_params(axis="x", labelrotation=20, labelsize=9)
        axes.yaxis.get_major_locator().set_params(integer=True)
    canvas.draw()
    return canvas_png(canvas)


async def render_stats_async(stats: Stats, lang: str | None) -> bytes:
    """`render_stats` in a worker thread, so the event loop keeps serving others."""
    return await asyncio.to_thread(render_stats, stats, lang)

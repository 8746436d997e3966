"""The weekly adherence as PNG: each day's estimated energy and protein as bars against the
targets as lines. Drawn like the other charts (matplotlib's object API on an Agg canvas, never
pyplot, encoded by `domain.adapters.chart_png`), in a worker thread."""

from __future__ import annotations

import asyncio

from babel.dates import format_date
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from bot.i18n import t
from bot.i18n.formats import locale_of
from domain.adapters.chart_png import canvas_png
from domain.nutrition.weeks import WeekAdherence

WIDTH_PX, HEIGHT_PX, DPI = 1000, 500, 100
COLOURS = ("#1f6feb", "#2da44e")
TARGET = "#cf222e"


def week_chart(week: WeekAdherence, lang: str | None) -> bytes:
    """Two bar charts, energy (kcal) and protein (g) per day, each with its target line."""
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    canvas = FigureCanvasAgg(figure)
    energy = figure.add_axes((0.07, 0.15, 0.40, 0.72))
    protein = figure.add_axes((0.56, 0.15, 0.40, 0.72))
    labels = [format_date(d.on, "EEE d", locale=locale_of(lang)) for d in week.days]
    targets = week.targets
    panels = (
        (
            energy,
            [float(d.eaten.energy_kcal) for d in week.days],
            "energy",
            COLOURS[0],
            targets.energy_kcal if targets else None,
        ),
        (
            protein,
            [float(d.eaten.protein_g) for d in week.days],
            "protein",
            COLOURS[1],
            targets.protein_g if targets else None,
        ),
    )
    for axes, values, key, colour, target in panels:
        axes.bar(labels, values, color=colour, label=t("nutrition.plan.chart.eaten", lang))
        if target is not None:
            axes.axhline(
                target, color=TARGET, linestyle="--", label=t("nutrition.plan.chart.target", lang)
            )
        axes.set_title(t(f"nutrition.plan.chart.{key}", lang))
        axes.tick_params(axis="x", labelsize=9)
        axes.legend(loc="lower right", fontsize=8)
    canvas.draw()
    return canvas_png(canvas)


async def week_chart_async(week: WeekAdherence, lang: str | None) -> bytes:
    """`week_chart` in a worker thread, so the event loop keeps serving others."""
    return await asyncio.to_thread(week_chart, week, lang)

"""Progress charts as PNG: values and their line, the trend, personal bests marked.

Drawn with matplotlib's object API on an Agg canvas, never through pyplot: pyplot keeps global
figure state that two renders in two threads would share. Each call builds its own figure, so
`render_progress_async` may run many at once in worker threads (matplotlib keys its font cache
by thread). The layout is fixed (no tight_layout, which measures every label on every call) and
the PNG is encoded from the drawn pixels once, with light compression: a year of daily values
renders in well under 150 ms on a small machine.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal

from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, date2num, num2date
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from bot.i18n import t
from bot.i18n.formats import month_name
from domain.adapters.chart_png import canvas_png
from domain.metrics.progress import Point, Series
from domain.metrics.units import duration_clock
from domain.timezones import zone_of

WIDTH_PX, HEIGHT_PX, DPI = 1000, 600, 100
# Left, bottom, width, height of the plot in figure fractions: room for labels on every side.
PLOT_BOX = (0.09, 0.11, 0.88, 0.80)
# Above this many points a marker on each would blot the line out.
MARKERS_UP_TO = 120
LONG_RANGE_DAYS = 200
CLOCK_FROM_S = 60  # domain.metrics.units.display writes such times as a clock too
LINE, TREND, BEST = "#1f6feb", "#8b949e", "#f2a900"


def render_progress(
    series: Series,
    *,
    title: str,
    x_label: str,
    y_label: str,
    lang: str | None,
    timezone: str = "UTC",
) -> bytes:
    """The series as a WIDTH_PX × HEIGHT_PX PNG, times on the axis in `timezone`."""
    figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI)
    canvas = FigureCanvasAgg(figure)
    axes = figure.add_axes(PLOT_BOX)
    xs = _days(series.points, timezone)
    ys = [float(point.value) for point in series.points]
    many = len(xs) > MARKERS_UP_TO
    axes.plot(xs, ys, color=LINE, linewidth=1.4, marker=None if many else "o", markersize=4)
    if series.trend is not None and xs:
        trend = [series.trend.at(series.points[0].at), series.trend.at(series.points[-1].at)]
        axes.plot([xs[0], xs[-1]], trend, color=TREND, linestyle="--", linewidth=1.2)
    if series.bests:
        best_x = _days(series.bests, timezone)
        best_y = [float(point.value) for point in series.bests]
        axes.scatter(best_x, best_y, marker="*", s=160, color=BEST, edgecolors="black", zorder=3)
    _dress(axes, series, xs, lang, title=title, x_label=x_label, y_label=y_label)
    canvas.draw()
    return canvas_png(canvas)


async def render_progress_async(
    series: Series,
    *,
    title: str,
    x_label: str,
    y_label: str,
    lang: str | None,
    timezone: str = "UTC",
) -> bytes:
    """`render_progress` in a worker thread, so the event loop keeps serving others meanwhile."""
    return await asyncio.to_thread(
        render_progress,
        series,
        title=title,
        x_label=x_label,
        y_label=y_label,
        lang=lang,
        timezone=timezone,
    )


def uses_clock(series: Series) -> bool:
    """Whether the value axis reads as a clock (m:ss): times of a minute or more, as in text."""
    return series.unit == "s" and any(point.value >= CLOCK_FROM_S for point in series.points)


def _days(points: tuple[Point, ...], timezone: str) -> list[float]:
    # Local wall-clock time, so a value logged at 23:30 sits on the reader's own day.
    zone = zone_of(timezone)
    # One call for all: date2num converts a list at once, and one by one is ten times slower.
    local = [point.at.astimezone(zone).replace(tzinfo=None) for point in points]
    return [float(x) for x in date2num(local)] if local else []


def _dress(
    axes: Axes,
    series: Series,
    xs: list[float],
    lang: str | None,
    *,
    title: str,
    x_label: str,
    y_label: str,
) -> None:
    # A fixed height: left to itself, matplotlib measures the tick labels to place the title.
    axes.set_title(title, fontsize=14, loc="left", y=1.02)
    axes.set_xlabel(x_label)
    axes.set_ylabel(y_label)
    axes.grid(True, color="#d0d7de", linewidth=0.6)
    axes.spines[["top", "right"]].set_visible(False)
    if len(xs) == 1 or (xs and xs[0] == xs[-1]):
        axes.set_xlim(xs[0] - 1, xs[0] + 1)  # one day either side of a lone value
    locator = AutoDateLocator(minticks=3, maxticks=8)
    axes.xaxis.set_major_locator(locator)
    long_range = bool(xs) and xs[-1] - xs[0] > LONG_RANGE_DAYS
    axes.xaxis.set_major_formatter(FuncFormatter(_date_label(lang, long_range=long_range)))
    if uses_clock(series):
        axes.yaxis.set_major_formatter(FuncFormatter(_clock_label))
    legend = [(LINE, "-", t("progress.chart.values", lang))]
    if series.trend is not None:
        legend.append((TREND, "--", t("progress.chart.trend", lang)))
    handles = [axes.plot([], [], color=c, linestyle=s)[0] for c, s, _ in legend]
    labels = [label for _, _, label in legend]
    if series.bests:
        handles.append(axes.scatter([], [], marker="*", s=160, color=BEST, edgecolors="black"))
        labels.append(t("progress.chart.best", lang))
    # Above the plot, right of the title: never over a value, and no search for a free corner.
    axes.legend(handles, labels, loc="lower right", bbox_to_anchor=(1, 1.0), ncols=3, frameon=False)


def _date_label(lang: str | None, *, long_range: bool) -> Callable[[float, int | None], str]:
    def label(value: float, _position: int | None = None) -> str:
        day: datetime = num2date(value)
        month = month_name(day.month, lang)
        return f"{month} {day.year}" if long_range else f"{day.day} {month}"

    return label


def _clock_label(value: float, _position: int | None = None) -> str:
    return duration_clock(Decimal(str(round(value, 1))))

"""Progress charts: a PNG of the agreed size for any series, drawn safely from many threads.

What is plotted is tested on the series (tests/domain/test_progress.py), not on pixels.
"""

from __future__ import annotations

import asyncio
import io
import struct
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from PIL import Image

from domain.metrics.catalogue import MetricKind
from domain.metrics.progress import Point, Series, least_squares_trend, running_bests
from handlers.metrics.charts import (
    HEIGHT_PX,
    WIDTH_PX,
    render_progress,
    render_progress_async,
    uses_clock,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
START = datetime(2026, 1, 1, 7, 30, tzinfo=UTC)


def kind(key: str = "sprint_40m", unit: str = "s", better: str = "lower") -> MetricKind:
    return MetricKind(
        id=uuid.uuid4(),
        key=key,
        name=key,
        sport=None,
        category="speed",
        unit=unit,
        better=better,
        min_value=Decimal(0),
        max_value=Decimal(10_000),
        aliases=(),
        coach_id=None,
    )


def series_of(values: list[float], *, metric: MetricKind | None = None) -> Series:
    metric = metric or kind()
    points = tuple(
        Point(START + timedelta(days=n), Decimal(str(value))) for n, value in enumerate(values)
    )
    return Series(
        athlete_id=uuid.uuid4(),
        kind=metric,
        unit=metric.unit,
        since=None,
        until=START + timedelta(days=len(values)),
        points=points,
        bests=running_bests(points, metric, None),
        trend=least_squares_trend(points),
    )


def a_year_of_daily_sprints() -> Series:
    return series_of([5.6 - 0.001 * n + (0.05 if n % 7 == 0 else 0) for n in range(365)])


def ihdr_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE
    length, chunk = struct.unpack(">I4s", png[8:16])
    assert (length, chunk) == (13, b"IHDR")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def render(series: Series, lang: str = "en") -> bytes:
    return render_progress(
        series, title="Kim · 40 m sprint", x_label="Date", y_label="s", lang=lang
    )


@pytest.mark.parametrize(
    "series",
    [
        pytest.param(a_year_of_daily_sprints(), id="a year of daily values"),
        pytest.param(series_of([5.3]), id="one value"),
        pytest.param(series_of([5.3, 5.3]), id="a flat line"),
        pytest.param(series_of([1300, 1290, 1250], metric=kind("run_5km")), id="times as a clock"),
        pytest.param(series_of([40, 40.5], metric=kind("weight", "kg", "neither")), id="no bests"),
    ],
)
def test_a_chart_is_a_png_of_the_agreed_size(series: Series) -> None:
    png = render(series)

    assert ihdr_size(png) == (WIDTH_PX, HEIGHT_PX) == (1000, 600)
    with Image.open(io.BytesIO(png)) as image:
        image.load()  # decodes every pixel: a truncated or corrupt file fails here
        assert image.size == (WIDTH_PX, HEIGHT_PX)


def test_times_of_a_minute_or_more_read_as_a_clock() -> None:
    assert uses_clock(series_of([1300, 1290], metric=kind("run_5km")))
    assert not uses_clock(series_of([5.3, 5.2]))
    assert not uses_clock(series_of([100, 110], metric=kind("squat", "kg", "higher")))


def test_a_chart_is_labelled_in_the_readers_language() -> None:
    # The legend and month names come from the catalogue; both languages render.
    assert render(a_year_of_daily_sprints(), lang="es") != render(a_year_of_daily_sprints())


async def test_charts_render_off_the_event_loop_and_side_by_side() -> None:
    series = series_of([5.4, 5.3, 5.35, 5.2])
    ticks = 0

    async def tick() -> None:
        nonlocal ticks
        while True:
            await asyncio.sleep(0)
            ticks += 1

    ticker = asyncio.create_task(tick())
    pngs = await asyncio.gather(
        *(
            render_progress_async(series, title="t", x_label="x", y_label="y", lang="en")
            for _ in range(4)
        )
    )
    ticker.cancel()

    assert {ihdr_size(png) for png in pngs} == {(WIDTH_PX, HEIGHT_PX)}
    assert len(set(pngs)) == 1  # four threads at once draw the very same picture
    assert ticks > 0  # the loop kept running while they drew

"""The words on a motion chart, in one language: kept apart from the chart so the worker can
hand them to the pipeline without loading matplotlib itself."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import NamedTuple


class ChartWords(NamedTuple):
    """The axis labels in one language: time along the bottom, movement up the side."""

    time: str
    movement: str


# The labels for readers with these language codes (Telegram's, e.g. "es-MX", or None), by the
# catalogue language each reads: a chart is drawn per language in it. The runtime's catalogue
# decides which language a code reads (bot.video_worker.chart_words).
ChartWordsFor = Callable[[Iterable[str | None]], dict[str, ChartWords]]

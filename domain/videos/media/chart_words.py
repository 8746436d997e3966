"""The words on a motion chart, in one language: kept apart from the chart so the worker can
hand them to the pipeline without loading matplotlib itself."""

from __future__ import annotations

from typing import NamedTuple


class ChartWords(NamedTuple):
    """The axis labels in one language: time along the bottom, movement up the side."""

    time: str
    movement: str

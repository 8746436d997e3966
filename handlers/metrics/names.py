"""Metric names in the reader's language: built-ins from the catalogue, a coach's own as named."""

from __future__ import annotations

from bot.local_time import coded
from domain.metrics.catalogue import MetricKind


def metric_name(kind: MetricKind, lang: str | None) -> str:
    """The metric's name as the reader reads it ("Sentadilla trasera" for `squat` in Spanish)."""
    return str(coded("metric", kind.reference(), lang))

"""What a measured value can be at all: an impossible one is refused, an unlikely one asked about.

A value outside a metric's plausible bounds (`catalogue.is_plausible`) is unlikely but may be
true, so the person is asked and may log it anyway. A value no measurement can give is refused
with the reason, whoever insists. What is impossible depends only on what the metric's unit
measures, so it holds for coaches' own metrics too:

- nothing we measure is negative, and nothing is NaN, infinite or beyond the column (NUMERIC(14,4));
- a time, length, mass, speed, heart rate or power of zero is no result;
- a count (reps), a share (%) or a level may be zero: a child who cannot do a pull-up yet,
  no shot on target;
- a share is at most 100 %, and a count is a whole number.

The database holds the same rule as CHECK constraints on performance_metrics (migration 0007);
a test compares the two at every edge.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from domain.metrics.catalogue import LARGEST_VALUE, MetricKind
from domain.metrics.input_error import MetricInputError
from domain.metrics.units import dimension_of, display, plain_number


@dataclass(frozen=True)
class _Possible:
    """What the values of one dimension can be."""

    zero: bool  # zero is a real result
    most: Decimal = LARGEST_VALUE
    whole: bool = False  # counted, not measured


_BY_DIMENSION = {
    "time": _Possible(zero=False),
    "length": _Possible(zero=False),
    "mass": _Possible(zero=False),
    "speed": _Possible(zero=False),
    "heart rate": _Possible(zero=False),
    "power": _Possible(zero=False),
    "share": _Possible(zero=True, most=Decimal(100)),
    "count": _Possible(zero=True, whole=True),
    "level": _Possible(zero=True),
}

# Why a value cannot be, and the message that says so.
REASONS = {
    "not_a_number": "metrics.error.not_a_number",
    "too_large": "metrics.error.too_large",
    "negative": "metrics.error.negative",
    "not_positive": "metrics.error.not_positive",
    "over_most": "metrics.error.over_most",
    "not_whole": "metrics.error.not_whole",
}


class Impossible(MetricInputError):
    """A value no measurement of the metric can give; refused, never stored."""


def impossibility(unit: str, value: Decimal) -> str | None:
    """Why a value in a canonical unit cannot be true (a key of REASONS), or None if it can."""
    if not value.is_finite():
        return "not_a_number"
    if abs(value) > LARGEST_VALUE:
        return "too_large"
    possible = _BY_DIMENSION[dimension_of(unit)]
    if value < 0 or (value == 0 and not possible.zero):
        return "negative" if possible.zero else "not_positive"
    if value > possible.most:
        return "over_most"
    if possible.whole and value != value.to_integral_value():
        return "not_whole"
    return None


def require_possible(kind: MetricKind, value: Decimal, typed: Decimal, typed_unit: str) -> None:
    """Impossible, with the reason, unless `value` (in the metric's unit) can be true.

    `typed` in `typed_unit` is what the person wrote, which the message quotes back.
    """
    reason = impossibility(kind.unit, value)
    if reason is None:
        return
    key = REASONS[reason]
    if reason == "too_large":
        raise Impossible(key, text=plain_number(typed) if typed.is_finite() else str(typed))
    params: dict[str, object] = {"metric": kind.reference()}
    if reason != "not_a_number":
        params["value"] = display(typed, typed_unit) if typed.is_finite() else str(typed)
    if reason == "over_most":
        params["most"] = display(_BY_DIMENSION[dimension_of(kind.unit)].most, kind.unit)
    raise Impossible(key, **params)

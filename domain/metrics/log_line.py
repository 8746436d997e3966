"""One-line metric logging: "/log squat 120kg x5 yesterday 18:00 # felt strong" → a LogLine."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from domain.metrics.catalogue import (
    LARGEST_VALUE,
    NOTE_MARK,
    STORED_PLACES,
    MetricKind,
    find,
    suggest,
)
from domain.metrics.input_error import MetricInputError
from domain.metrics.log_time import WHEN, take_when
from domain.metrics.possible import require_possible
from domain.metrics.units import accepted_units, convert, unit_of

MAX_REPS = 1000
_COMMAND = re.compile(r"^\s*/log(?:@\w+)?\b", re.IGNORECASE)
_NUMBER = r"-?(?:\d+(?:[.,]\d+)?|[.,]\d+)"
_VALUE = re.compile(
    r"(?P<feet>\d+)\s*(?:'|’|′|ft)\s*(?P<inches>\d+(?:[.,]\d+)?)"
    r"\s*(?:\"|”|″|''|inch(?:es)?\b|in\b)?"
    rf"|(?P<clock>-?\d+:\d{{1,2}}(?::\d{{1,2}})?(?:[.,]\d+)?)"
    rf"|(?P<number>{_NUMBER})"
)
_REPS = re.compile(r"(?:[x×]\s*(?P<after>\d+)|(?P<before>\d+)\s*(?:reps?\b|[x×]))(?=\s|$)")
# "120kgx5": the reps glued to the unit.
_GLUED_REPS = re.compile(r"(?<=[^\W\d_])([x×]\d)")
_UNIT = re.compile(r"km/h|m/s|mi/h|km/hr|[^\W\d_]+|%|''|['’′\"”″]")


@dataclass(frozen=True)
class LogLine:
    """What one line asked to record, the value converted to the metric's canonical unit."""

    metric: MetricKind
    value: Decimal
    unit: str
    typed_value: Decimal
    typed_unit: str
    reps: int | None
    recorded_at: datetime | None  # None: now
    notes: str | None


def parse_log_line(
    text: str, catalogue: Sequence[MetricKind], *, now: datetime, timezone: str
) -> LogLine:
    """Read "<metric> <value>[unit] [x reps] [yesterday 18:00] [# note]" against a catalogue."""
    body, notes = _split_notes(_COMMAND.sub("", text, count=1))
    metric, rest = _take_metric(body, catalogue)
    rest, recorded_at = take_when(rest, now=now, timezone=timezone)
    if not rest:
        raise MetricInputError("metrics.error.no_value", metric=metric.reference())
    typed = _scan_value(rest)
    unit = _unit_for(typed.unit, metric)
    exact = convert(typed.value, unit, metric.unit)
    value = _stored(exact, rest)
    # As typed and as stored: 2.00001 reps is no count though stored as 2, and 0.00001 s is
    # more than nothing though stored as 0.
    for candidate in (exact, value):
        require_possible(metric, candidate, typed.value, unit)
    return LogLine(
        metric=metric,
        value=value,
        unit=metric.unit,
        typed_value=typed.value,
        typed_unit=unit,
        reps=typed.reps,
        recorded_at=recorded_at,
        notes=notes,
    )


def _split_notes(text: str) -> tuple[str, str | None]:
    found = NOTE_MARK.search(text)
    if found is None:
        return text.strip(), None
    note = text[found.end() :].strip()
    return text[: found.start()].strip(), note or None


def _take_metric(text: str, catalogue: Sequence[MetricKind]) -> tuple[MetricKind, str]:
    # The name is looked for before any time is taken out, so a coach's "Shots at 10 m" stays
    # whole; only a line that starts with a time ("yesterday 18:00 squat 100kg") is read again
    # without it, and the time is handed back with the rest.
    if (metric_and_rest := _longest_name(text.split(), catalogue)) is not None:
        return metric_and_rest
    leading = WHEN.match(text)
    if leading is not None:
        found = _longest_name(text[leading.end() :].split(), catalogue)
        if found is not None:
            return found[0], f"{leading.group()} {found[1]}"
    named = _name_part(WHEN.sub(" ", text).split())
    if not named:
        raise MetricInputError("metrics.error.no_metric")
    near = suggest(catalogue, named)
    raise MetricInputError(
        "metrics.error.unknown_metric",
        text=named,
        suggestions=", ".join(kind.name for kind in near),
    )


def _longest_name(
    tokens: list[str], catalogue: Sequence[MetricKind]
) -> tuple[MetricKind, str] | None:
    # Longest first: "40m sprint 5.12" names "40 m sprint", not the "40m" alias of it.
    for end in range(len(tokens), 0, -1):
        metric = find(catalogue, " ".join(tokens[:end]))
        if metric is not None:
            return metric, " ".join(tokens[end:])
    return None


def _name_part(tokens: list[str]) -> str:
    # Names hold numbers too ("40m sprint"): the name ends where a readable value begins.
    for start in range(1, len(tokens)):
        try:
            _scan_value(" ".join(tokens[start:]))
        except MetricInputError:
            continue
        return " ".join(tokens[:start])
    return " ".join(tokens)


@dataclass(frozen=True)
class _Typed:
    value: Decimal
    unit: str | None  # as typed; None: the metric's own unit
    reps: int | None


def _scan_value(text: str) -> _Typed:
    found = _VALUE.match(text)
    if not text or found is None:
        raise MetricInputError("metrics.error.no_value", text=text)
    rest = _GLUED_REPS.sub(r" \1", text[found.end() :]).strip()
    unit: str | None
    if found["feet"]:
        value = convert(Decimal(found["feet"]), "ft", "in") + _decimal(found["inches"])
        unit = "in"
    elif found["clock"]:
        value, unit = _duration(found["clock"]), "s"
    else:
        value, unit = _decimal(found["number"]), None
        if not _REPS.match(rest) and (typed := _UNIT.match(rest)):
            unit, rest = typed.group(), rest[typed.end() :].strip()
    reps, rest = _take_reps(rest)
    if rest:
        raise MetricInputError("metrics.error.unexpected", text=rest)
    return _Typed(value, unit, reps)


def _unit_for(typed: str | None, metric: MetricKind) -> str:
    if typed is None:
        return metric.unit
    unit = unit_of(typed)
    accepted = accepted_units(metric.unit)
    if unit not in accepted:
        raise MetricInputError("metrics.error.bad_unit", unit=typed, accepted=", ".join(accepted))
    return unit


def _take_reps(text: str) -> tuple[int | None, str]:
    found = _REPS.match(text)
    if found is None:
        return None, text
    reps = int(found["after"] or found["before"])
    if not 0 < reps <= MAX_REPS:
        raise MetricInputError("metrics.error.bad_reps", reps=reps)
    return reps, text[found.end() :].strip()


def _decimal(text: str) -> Decimal:
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation as err:
        raise MetricInputError("metrics.error.no_value", text=text) from err


def _duration(text: str) -> Decimal:
    sign = -1 if text.startswith("-") else 1
    *larger, seconds = text.lstrip("-").split(":")
    if any(int(part) > 59 for part in larger[1:]) or _decimal(seconds) >= 60:
        raise MetricInputError("metrics.error.bad_duration", text=text)
    total = _decimal(seconds)
    for place, part in enumerate(reversed(larger), start=1):
        total += int(part) * 60**place
    return sign * total


def _stored(value: Decimal, typed: str) -> Decimal:
    # Checked before rounding: quantize fails outright on more digits than Decimal carries.
    if abs(value) > LARGEST_VALUE:
        raise MetricInputError("metrics.error.too_large", text=typed)
    return value.quantize(STORED_PLACES, rounding=ROUND_HALF_UP)

"""Units of measure as people type them, exact conversions between them, and display."""

from __future__ import annotations

from decimal import Decimal

# Canonical units a metric type may be stored in (metric_types.unit).
CANONICAL_UNITS = ("s", "m", "cm", "kg", "bpm", "%", "reps", "level", "km/h", "W")

# Each unit's dimension and its size in the dimension's base unit. Factors are exact decimals
# (the international yard and pound), so kg → lb → kg comes back to the same value.
_FACTORS: dict[str, tuple[str, Decimal]] = {
    "s": ("time", Decimal(1)),
    "ms": ("time", Decimal("0.001")),
    "min": ("time", Decimal(60)),
    "h": ("time", Decimal(3600)),
    "m": ("length", Decimal(1)),
    "cm": ("length", Decimal("0.01")),
    "km": ("length", Decimal(1000)),
    "in": ("length", Decimal("0.0254")),
    "ft": ("length", Decimal("0.3048")),
    "mi": ("length", Decimal("1609.344")),
    "kg": ("mass", Decimal(1)),
    "g": ("mass", Decimal("0.001")),
    "lb": ("mass", Decimal("0.45359237")),
    "km/h": ("speed", Decimal(1)),
    "m/s": ("speed", Decimal("3.6")),
    "mph": ("speed", Decimal("1.609344")),
    "bpm": ("heart rate", Decimal(1)),
    "%": ("share", Decimal(1)),
    "reps": ("count", Decimal(1)),
    "level": ("level", Decimal(1)),
    "W": ("power", Decimal(1)),
}

_SPELLINGS = {
    "s": ("s", "sec", "secs", "second", "seconds"),
    "ms": ("ms", "msec", "millisecond", "milliseconds"),
    "min": ("min", "mins", "minute", "minutes"),
    "h": ("h", "hr", "hrs", "hour", "hours"),
    "m": ("m", "metre", "metres", "meter", "meters"),
    "cm": ("cm", "centimetre", "centimetres", "centimeter", "centimeters"),
    "km": ("km", "kms", "kilometre", "kilometres", "kilometer", "kilometers"),
    "in": ("in", '"', "”", "″", "''", "inch", "inches"),
    "ft": ("ft", "'", "’", "′", "foot", "feet"),
    "mi": ("mi", "mile", "miles"),
    "kg": ("kg", "kgs", "kilo", "kilos", "kilogram", "kilograms"),
    "g": ("g", "gram", "grams"),
    "lb": ("lb", "lbs", "pound", "pounds"),
    "km/h": ("km/h", "kmh", "kph", "kmph", "km/hr"),
    "m/s": ("m/s", "mps"),
    "mph": ("mph", "mi/h"),
    "bpm": ("bpm", "beats", "/min"),
    "%": ("%", "percent", "pct"),
    "reps": ("reps", "rep", "x", "×", "times"),
    "level": ("level", "levels", "lvl", "lv"),
    "W": ("w", "watt", "watts"),
}
_UNIT_OF = {spelling: unit for unit, spellings in _SPELLINGS.items() for spelling in spellings}

# What may be typed for each canonical unit: the sensible scales of the same dimension
# (a vertical jump in miles converts fine but only ever by mistake).
_ACCEPTED = {
    "s": ("s", "ms", "min", "h"),
    "m": ("m", "cm", "km", "ft", "in", "mi"),
    "cm": ("cm", "m", "ft", "in"),
    "kg": ("kg", "lb", "g"),
    "km/h": ("km/h", "mph", "m/s"),
}

# What an imperial reader sees instead of a metric unit; the rest reads the same everywhere.
_IMPERIAL = {"kg": "lb", "m": "ft", "cm": "in", "km": "mi", "km/h": "mph"}
_DISPLAY_PLACES = 2


class UnitError(ValueError):
    """Two units that measure different things (seconds and kilograms)."""


def unit_of(text: str) -> str | None:
    """The unit a person meant ("secs" → "s", "kilos" → "kg", "'" → "ft"), or None."""
    cleaned = text.strip().lower().rstrip(".")
    return _UNIT_OF.get(cleaned) or _UNIT_OF.get(cleaned.replace(" ", ""))


def dimension_of(unit: str) -> str:
    """What a unit measures ("time", "length", "mass", ...); UnitError for an unknown unit."""
    if unit not in _FACTORS:
        raise UnitError(f"unknown unit {unit!r}")
    return _FACTORS[unit][0]


def convert(value: Decimal, unit: str, to: str) -> Decimal:
    """`value` in `unit` expressed in `to`, exactly where the decimals allow."""
    if unit == to:
        return value
    if dimension_of(unit) != dimension_of(to):
        raise UnitError(f"cannot convert {unit} to {to}")
    return value * _FACTORS[unit][1] / _FACTORS[to][1]


def accepted_units(canonical: str) -> tuple[str, ...]:
    """The units a value for a metric stored in `canonical` may be typed in, canonical first."""
    return _ACCEPTED.get(canonical, (canonical,))


def display_unit(unit: str, *, units: str = "metric") -> str:
    """The unit a reader who prefers `units` ("metric" or "imperial") sees a value in."""
    return _IMPERIAL.get(unit, unit) if units == "imperial" else unit


def display(value: Decimal, unit: str, *, units: str = "metric") -> str:
    """A value for reading: "5.12 s", "72.4 kg", "21:30" for long times.

    Imperial readers see kg as lb, m as ft, cm as in, km as mi and km/h as mph; everything is
    rounded to two decimals, and times of a minute or more are shown as a clock (m:ss, h:mm:ss).
    """
    shown = display_unit(unit, units=units)
    amount = convert(value, unit, shown)
    if shown == "s" and abs(amount) >= 60:
        return duration_clock(amount.quantize(Decimal("0.01")))
    number = plain_number(amount.quantize(Decimal(1).scaleb(-_DISPLAY_PLACES)))
    return f"{number}%" if shown == "%" else f"{number} {shown}"


def plain_number(value: Decimal) -> str:
    """A decimal without trailing zeros or exponent: 5.10 → "5.1", 1E+2 → "100"."""
    text = f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def duration_clock(seconds: Decimal) -> str:
    """Seconds as a clock: 1290 → "21:30", 3723.5 → "1:02:03.5"."""
    sign = "-" if seconds < 0 else ""
    whole, fraction = divmod(abs(seconds), 1)
    hours, rest = divmod(int(whole), 3600)
    minutes, secs = divmod(rest, 60)
    tail = plain_number(fraction)[1:] if fraction else ""
    if hours:
        return f"{sign}{hours}:{minutes:02d}:{secs:02d}{tail}"
    return f"{sign}{minutes}:{secs:02d}{tail}"

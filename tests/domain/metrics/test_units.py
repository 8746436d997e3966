from decimal import Decimal

import pytest

from domain.metrics.units import (
    CANONICAL_UNITS,
    UnitError,
    accepted_units,
    convert,
    dimension_of,
    display,
    display_unit,
    unit_of,
)

STORED = Decimal("0.0001")


@pytest.mark.parametrize(
    ("typed", "unit"),
    [
        ("s", "s"),
        ("sec", "s"),
        ("Secs", "s"),
        ("seconds", "s"),
        ("ms", "ms"),
        ("mins", "min"),
        ("metres", "m"),
        ("meters", "m"),
        ("cm", "cm"),
        ("km", "km"),
        ("miles", "mi"),
        ("ft", "ft"),
        ("'", "ft"),
        ('"', "in"),
        ("in", "in"),
        ("KGS", "kg"),
        ("kilos", "kg"),
        ("g", "g"),
        ("lbs", "lb"),
        ("bpm", "bpm"),
        ("%", "%"),
        ("rep", "reps"),
        ("x", "reps"),
        ("lvl", "level"),
        ("kmh", "km/h"),
        ("kph", "km/h"),
        ("mph", "mph"),
        ("W", "W"),
        ("watts", "W"),
    ],
)
def test_unit_of_understands_what_people_type(typed: str, unit: str) -> None:
    assert unit_of(typed) == unit


def test_unit_of_an_unknown_spelling_is_none() -> None:
    assert unit_of("stone") is None


@pytest.mark.parametrize(
    ("value", "unit", "to", "expected"),
    [
        ("1", "in", "m", "0.0254"),
        ("1", "ft", "cm", "30.48"),
        ("1", "lb", "kg", "0.45359237"),
        ("1", "mi", "m", "1609.344"),
        ("1", "mph", "km/h", "1.609344"),
        ("5120", "ms", "s", "5.12"),
        ("2.5", "min", "s", "150"),
        ("180", "cm", "m", "1.8"),
    ],
)
def test_conversions_use_exact_factors(value: str, unit: str, to: str, expected: str) -> None:
    assert convert(Decimal(value), unit, to) == Decimal(expected)


@pytest.mark.parametrize(
    ("value", "unit", "via"),
    [
        ("72.4", "kg", "lb"),
        ("102.0583", "kg", "lb"),
        ("1.8734", "m", "ft"),
        ("1.8734", "m", "in"),
        ("55.5", "cm", "in"),
        ("5.12", "s", "ms"),
        ("1290.1234", "s", "min"),
        ("212.3456", "km/h", "mph"),
    ],
)
def test_round_trips_come_back_to_the_stored_precision(value: str, unit: str, via: str) -> None:
    there = convert(Decimal(value), unit, via)
    assert convert(there, via, unit).quantize(STORED) == Decimal(value)


def test_converting_between_dimensions_is_refused() -> None:
    with pytest.raises(UnitError):
        convert(Decimal(1), "s", "kg")


def test_accepted_units_start_with_the_canonical_one_and_stay_in_its_dimension() -> None:
    assert accepted_units("kg") == ("kg", "lb", "g")
    assert accepted_units("cm") == ("cm", "m", "ft", "in")
    assert accepted_units("s") == ("s", "ms", "min", "h")
    assert accepted_units("bpm") == ("bpm",)
    for canonical in CANONICAL_UNITS:
        accepted = accepted_units(canonical)
        assert accepted[0] == canonical
        assert {dimension_of(unit) for unit in accepted} == {dimension_of(canonical)}


@pytest.mark.parametrize(
    ("value", "unit", "units", "shown"),
    [
        ("5.12", "s", "metric", "5.12 s"),
        ("72.4000", "kg", "metric", "72.4 kg"),
        ("1290", "s", "metric", "21:30"),
        ("3723.5", "s", "metric", "1:02:03.5"),
        ("80", "%", "metric", "80%"),
        ("72.4", "kg", "imperial", "159.61 lb"),
        ("180", "cm", "imperial", "70.87 in"),
        ("5.12", "s", "imperial", "5.12 s"),
        ("200", "km/h", "imperial", "124.27 mph"),
    ],
)
def test_display_reads_naturally(value: str, unit: str, units: str, shown: str) -> None:
    assert display(Decimal(value), unit, units=units) == shown


def test_imperial_readers_see_imperial_units_of_the_same_dimension() -> None:
    assert display_unit("kg", units="imperial") == "lb"
    assert display_unit("kg") == "kg"
    assert display_unit("bpm", units="imperial") == "bpm"

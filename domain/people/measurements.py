"""Height and weight as people type them, metric or imperial, stored metric; pure functions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from domain.errors import InvalidAnswer

CM_PER_INCH = Decimal("2.54")
KG_PER_LB = Decimal("0.45359237")
HEIGHT_CM = (50, 250)
WEIGHT_KG = (Decimal(10), Decimal(250))


@dataclass(frozen=True)
class Measurement:
    """A metric value, and whether the person typed it in imperial units."""

    value: int | Decimal
    imperial: bool


_CENTIMETRES = re.compile(r"(\d{2,3}(?:[.,]\d+)?)\s*(?:cm)?")
_METRES = re.compile(r"([12][.,]\d{1,2})\s*m?")
_FEET_INCHES = re.compile(
    r"(\d)\s*(?:'|’|ft|feet|foot)\s*(?:(\d{1,2}(?:[.,]\d+)?)\s*(?:\"|”|''|in|inch|inches)?)?"
)
_INCHES = re.compile(r"(\d{2,3}(?:[.,]\d+)?)\s*(?:\"|”|''|in|inch|inches)")
_WEIGHT = re.compile(r"(\d{1,3}(?:[.,]\d{1,2})?)\s*(kg|kgs|kilos?|lb|lbs|pounds?)?")


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def _height_cm(text: str) -> tuple[Decimal, bool] | None:
    if found := _FEET_INCHES.fullmatch(text):
        inches = int(found[1]) * 12 + _number(found[2] or "0")
        return inches * CM_PER_INCH, True
    if found := _INCHES.fullmatch(text):
        return _number(found[1]) * CM_PER_INCH, True
    if found := _METRES.fullmatch(text):
        return _number(found[1]) * 100, False
    if found := _CENTIMETRES.fullmatch(text):
        return _number(found[1]), False
    return None


def parse_height(text: str) -> Measurement:
    """A height in cm (180, 1.80 m) or imperial (5'11", 71 in), stored as whole centimetres."""
    parsed = _height_cm(" ".join(text.strip().lower().split()))
    low, high = HEIGHT_CM
    if parsed is None or not low <= parsed[0] <= high:
        raise InvalidAnswer("profile.hint.height", low=low, high=high)
    centimetres = int(parsed[0].quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return Measurement(centimetres, parsed[1])


def parse_weight(text: str) -> Measurement:
    """A weight in kg (70, 70.5 kg) or pounds (155 lb), stored in kg to two decimals."""
    found = _WEIGHT.fullmatch(" ".join(text.strip().lower().split()))
    low, high = WEIGHT_KG
    if found is None:
        raise InvalidAnswer("profile.hint.weight", low=low, high=high)
    imperial = (found[2] or "").startswith(("lb", "pound"))
    kilograms = _number(found[1]) * (KG_PER_LB if imperial else 1)
    if not low <= kilograms <= high:
        raise InvalidAnswer("profile.hint.weight", low=low, high=high)
    return Measurement(kilograms.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), imperial)


def format_height(centimetres: int, units: str) -> str:
    """A stored height as the person prefers to read it: 180 cm or 5'11"."""
    if units != "imperial":
        return f"{centimetres} cm"
    inches = int((Decimal(centimetres) / CM_PER_INCH).quantize(Decimal(1), ROUND_HALF_UP))
    return f"{inches // 12}'{inches % 12}\""


def format_weight(kilograms: Decimal, units: str) -> str:
    """A stored weight as the person prefers to read it: 70.5 kg or 155 lb."""
    if units != "imperial":
        return f"{kilograms.normalize():f} kg"
    return f"{(kilograms / KG_PER_LB).quantize(Decimal(1), ROUND_HALF_UP)} lb"

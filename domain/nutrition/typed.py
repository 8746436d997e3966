"""What people type while writing a plan: a date, the daily targets, an amount in grams.

Each parser returns a value or raises `InvalidAnswer` with the hint to re-ask with."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from pydantic import ValidationError

from domain.errors import InvalidAnswer
from domain.nutrition.plan_content import Targets

_NUMBER = re.compile(r"-?\d+(?:[.,]\d+)?")
_DAY_MONTH = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})(?:[/.-](\d{2,4}))?\s*$")
_GRAMS = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s*(kg|g|gr|grams?|gramos?)?\s*$", re.I)


def parse_day(text: str, *, today: date) -> date:
    """A date typed as 2026-12-14 or 14/12 (this year) or 14/12/2026."""
    typed = text.strip()
    try:
        return date.fromisoformat(typed)
    except ValueError:
        pass
    found = _DAY_MONTH.match(typed)
    if found:
        day, month, year = found.groups()
        full = int(year) + (2000 if year and len(year) == 2 else 0) if year else today.year
        try:
            return date(full, int(month), int(day))
        except ValueError:
            pass
    raise InvalidAnswer("nutrition.plan.error.date", typed=typed[:40])


def parse_targets(text: str) -> Targets:
    """Five numbers in order: energy (kcal), protein, carbohydrate and fat (g), water (ml);
    words between them are ignored ("2400 kcal, 150 protein, 300 carbs, 80 fat, 2500 ml")."""
    numbers = [n.replace(",", ".") for n in _NUMBER.findall(text)]
    if len(numbers) != 5:
        raise InvalidAnswer("nutrition.plan.error.targets")
    try:
        kcal, protein, carbs, fat, water = (int(Decimal(n)) for n in numbers)
        return Targets(
            energy_kcal=kcal, protein_g=protein, carbohydrate_g=carbs, fat_g=fat, water_ml=water
        )
    except (ValidationError, InvalidOperation):
        raise InvalidAnswer("nutrition.plan.error.targets") from None


def parse_grams(text: str) -> Decimal:
    """An amount in grams ("80", "80 g", "1.5 kg"); its bounds are the foods' rule."""
    found = _GRAMS.match(text)
    if not found:
        raise InvalidAnswer("nutrition.plan.error.grams", typed=text.strip()[:40])
    value = Decimal(found.group(1).replace(",", "."))
    unit = (found.group(2) or "g").lower()
    return value * 1000 if unit == "kg" else value

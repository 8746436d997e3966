"""Energy and macros of amounts of foods: a meal's and a day's totals."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

from domain.errors import InvalidInput
from domain.nutrition.foods import Food

# The most of one food a meal item may hold: a big bowl of pasta is 500 g, a litre and a half
# of water 1,500 g; 50 kg of rice is a typo.
MAX_GRAMS = Decimal(2000)
HUNDRED = Decimal(100)


class AmountRefused(InvalidInput):
    """An amount no meal holds: not above zero, or more than `MAX_GRAMS` of one food."""

    KEYS: ClassVar[dict[str, str]] = {
        "not_positive": "nutrition.error.grams_not_positive",
        "too_much": "nutrition.error.grams_too_much",
    }

    def __init__(self, code: str, *, grams: Decimal) -> None:
        super().__init__(code, grams=grams, max=MAX_GRAMS)
        self.code = code
        self.message_key = self.KEYS[code]


@dataclass(frozen=True)
class Totals:
    """Energy (kcal) and macros (g) added up."""

    energy_kcal: Decimal = Decimal(0)
    protein_g: Decimal = Decimal(0)
    carbohydrate_g: Decimal = Decimal(0)
    fat_g: Decimal = Decimal(0)

    def __add__(self, other: Totals) -> Totals:
        return Totals(
            self.energy_kcal + other.energy_kcal,
            self.protein_g + other.protein_g,
            self.carbohydrate_g + other.carbohydrate_g,
            self.fat_g + other.fat_g,
        )


@dataclass(frozen=True)
class Amount:
    """So many grams of a food; refused (AmountRefused) unless 0 < grams <= MAX_GRAMS."""

    food: Food
    grams: Decimal

    def __post_init__(self) -> None:
        if not self.grams.is_finite() or self.grams <= 0:
            raise AmountRefused("not_positive", grams=self.grams)
        if self.grams > MAX_GRAMS:
            raise AmountRefused("too_much", grams=self.grams)

    @property
    def totals(self) -> Totals:
        """What this amount of the food brings (the table is per 100 g)."""
        share = self.grams / HUNDRED
        food = self.food
        return Totals(
            food.energy_kcal * share,
            food.protein_g * share,
            food.carbohydrate_g * share,
            food.fat_g * share,
        )


def totals_of(amounts: Iterable[Amount]) -> Totals:
    """The energy and macros of these amounts together (a meal's, or a day's)."""
    total = Totals()
    for amount in amounts:
        total += amount.totals
    return total

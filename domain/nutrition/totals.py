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
        if not isinstance(self.grams, Decimal):  # a whole number of grams, say
            object.__setattr__(self, "grams", Decimal(str(self.grams)))
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
    # Summed per 100 g and divided once: a week's plan adds up ~170 items on every read.
    energy = protein = carbohydrate = fat = Decimal(0)
    for amount in amounts:
        food, grams = amount.food, amount.grams
        energy += food.energy_kcal * grams
        protein += food.protein_g * grams
        carbohydrate += food.carbohydrate_g * grams
        fat += food.fat_g * grams
    return Totals(energy / HUNDRED, protein / HUNDRED, carbohydrate / HUNDRED, fat / HUNDRED)

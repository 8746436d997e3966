"""A meal's and a day's energy and macros, and the amounts refused on the way."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.nutrition.totals import MAX_GRAMS, Amount, AmountRefused, Totals, totals_of
from tests.domain.nutrition.food_rows import food

RICE = food("Cooked white rice", per_100_g=("130", "2.69", "28.17", "0.28"))
CHICKEN = food("Chicken breast", id=2, per_100_g=("165", "31.02", "0", "3.57"))


def test_an_amount_brings_its_share_of_the_per_100_g_figures() -> None:
    assert Amount(RICE, Decimal(250)).totals == Totals(
        Decimal("325"), Decimal("6.725"), Decimal("70.425"), Decimal("0.7")
    )


def test_a_meals_totals_add_up_its_items() -> None:
    meal = [Amount(RICE, Decimal(200)), Amount(CHICKEN, Decimal(150))]

    assert totals_of(meal) == Totals(
        Decimal("507.5"), Decimal("51.91"), Decimal("56.34"), Decimal("5.915")
    )


def test_a_days_totals_are_its_meals_totals_added() -> None:
    breakfast = [Amount(RICE, Decimal(100))]
    lunch = [Amount(CHICKEN, Decimal(200)), Amount(RICE, Decimal("75.5"))]

    assert totals_of(breakfast) + totals_of(lunch) == totals_of(breakfast + lunch)


def test_nothing_adds_up_to_zero() -> None:
    assert totals_of([]) == Totals()
    assert Totals() + Totals() == Totals(Decimal(0), Decimal(0), Decimal(0), Decimal(0))


@pytest.mark.parametrize("grams", ["0", "-100", "-0.5", "NaN", "Infinity"])
def test_no_food_comes_in_zero_negative_or_no_grams(grams: str) -> None:
    with pytest.raises(AmountRefused) as refused:
        Amount(RICE, Decimal(grams))

    assert refused.value.code == "not_positive"
    assert refused.value.message_key == "nutrition.error.grams_not_positive"


def test_fifty_kilos_of_rice_is_refused_with_the_limit_to_say() -> None:
    with pytest.raises(AmountRefused) as refused:
        Amount(RICE, Decimal(50_000))

    assert refused.value.code == "too_much"
    assert refused.value.message_key == "nutrition.error.grams_too_much"
    assert refused.value.params == {"grams": Decimal(50_000), "max": MAX_GRAMS}


def test_the_largest_plausible_portion_is_kept() -> None:
    assert Amount(RICE, MAX_GRAMS).grams == MAX_GRAMS
    with pytest.raises(AmountRefused):
        Amount(RICE, MAX_GRAMS + Decimal("0.1"))


def test_whole_grams_are_taken_as_decimals() -> None:
    assert Amount(RICE, 100).grams == Decimal(100)  # type: ignore[arg-type]
    assert Amount(RICE, 100).totals.energy_kcal == Decimal(130)  # type: ignore[arg-type]

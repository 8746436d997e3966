"""Every code the food rules return has words in every language (the chat renders them)."""

from __future__ import annotations

import pytest

from bot.i18n import catalogues, languages
from domain.nutrition.allergens import Allergen, Diet
from domain.nutrition.foods import FoodKind
from domain.nutrition.restrictions import ConflictReason
from domain.nutrition.totals import AmountRefused


@pytest.mark.parametrize("lang", languages())
def test_allergens_diets_kinds_conflicts_and_refusals_have_words(lang: str) -> None:
    keys = [f"nutrition.allergen.{a}" for a in Allergen]
    keys += [f"nutrition.diet.{d}" for d in Diet]
    keys += [f"nutrition.kind.{k}" for k in FoodKind]
    keys += [f"nutrition.conflict.{r}" for r in ConflictReason]
    keys += list(AmountRefused.KEYS.values())

    assert [key for key in keys if key not in catalogues()[lang]] == []

"""Foods read once are served from memory; only ids not seen yet go to the table."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.models import FoodKind
from domain.nutrition import known_foods
from domain.nutrition.foods import Food


def _food(food_id: int) -> Food:
    zero = Decimal(0)
    return Food(food_id, "x", "x", FoodKind.OTHER, zero, zero, zero, zero, frozenset(), frozenset())


async def test_only_the_foods_not_seen_yet_are_read(monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[set[int]] = []

    async def read(_tx: object, ids: set[int]) -> dict[int, Food]:
        asked.append(set(ids))
        return {i: _food(i) for i in ids if i != 404}  # 404: no such food

    monkeypatch.setattr(known_foods, "_KNOWN", {})
    monkeypatch.setattr(known_foods, "foods_by_ids", read)

    first = await known_foods.foods_named(None, [1, 2])  # type: ignore[arg-type]
    second = await known_foods.foods_named(None, [2, 3, 404])  # type: ignore[arg-type]
    third = await known_foods.foods_named(None, [1, 3])  # type: ignore[arg-type]

    assert asked == [{1, 2}, {3, 404}]
    assert (sorted(first), sorted(second), sorted(third)) == ([1, 2], [2, 3], [1, 3])

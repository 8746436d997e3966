"""The foods plans name, kept in this process once read.

The food table is reference data: migrations load it and nothing at run time writes it, so a
food read once is the same food for the life of the process (a migration that changes one takes
effect at the next start). Every day sent, card shown and week added up names the same few
hundred foods; reading them from memory saves each a statement (benchmarks/nutrition.py).
A food not seen yet is read with the others missing, in one statement.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.nutrition.foods import Food, foods_by_ids
from domain.uow import Transaction

_KNOWN: dict[int, Food] = {}


async def foods_named(tx: Transaction, ids: Iterable[int]) -> dict[int, Food]:
    """The foods with these ids that exist, from memory or the table."""
    wanted = set(ids)
    missing = wanted - _KNOWN.keys()
    if missing:
        _KNOWN.update(await foods_by_ids(tx, missing))
    return {food_id: _KNOWN[food_id] for food_id in wanted if food_id in _KNOWN}

"""The food table: a food's energy and macros per 100 g, and finding foods by a typed name.

Search runs in the database (pg_trgm over `food_search_key`, lower case without accents, GIN
indexed per language; migration 0018), so "platano", "Plátano" and "platno" all find the
banana. Names in the reader's language rank first; the other language's count slightly less,
so an English speaker in Spain typing "jamón" still finds the ham.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Row,
    Select,
    any_,
    bindparam,
    func,
    literal,
    select,
)
from sqlalchemy import text as sql
from sqlalchemy.dialects.postgresql import ARRAY

from domain.driver import DriverStatement
from domain.models import Allergen, Diet, FoodComposition, FoodKind
from domain.uow import Transaction

__all__ = ["Food", "FoodKind", "foods_by_ids", "search_foods"]

# A typed name longer than any food's is no name; trimming it keeps the trigram work bounded.
MAX_QUERY = 60
# Whole words are compared (strict_word_similarity: "chiken" is nearer "Roast chicken" than
# "Oven chips"). The index finds names at least this near (pg_trgm's `<<%` with its threshold
# set for the transaction; its default, 0.5, misses "chiken brest"), best first.
NEAREST = 0.3
# A name in the reader's other language ranks just below an equal one in their own.
OTHER_LANGUAGE = 0.05
# Through SQLAlchemy, which opens the transaction (the driver alone would run it outside one,
# and a setting local to no transaction is gone by the next statement).
SET_THRESHOLD = sql("SELECT set_config('pg_trgm.strict_word_similarity_threshold', :near, true)")

FOODS = FoodComposition.__table__


@dataclass(frozen=True)
class Food:
    """A food of the table; energy and macros per 100 g."""

    id: int
    name_en: str
    name_es: str
    kind: FoodKind
    energy_kcal: Decimal
    protein_g: Decimal
    carbohydrate_g: Decimal
    fat_g: Decimal
    allergens: frozenset[Allergen]
    breaks: frozenset[Diet]

    def name(self, language: str) -> str:
        """The food's name in this language (Spanish or English)."""
        return self.name_es if is_spanish(language) else self.name_en


def is_spanish(language: str) -> bool:
    """Whether a language code ("es", "es-MX") reads the Spanish names."""
    return language.lower().startswith("es")


@cache
def _allergens(values: tuple[str, ...]) -> frozenset[Allergen]:
    return frozenset(map(Allergen, values))


@cache
def _diets(values: tuple[str, ...]) -> frozenset[Diet]:
    return frozenset(map(Diet, values))


def _food(row: Row) -> Food:
    # Tags repeat across foods (a few dozen combinations): each set is built once per process.
    return Food(
        id=row.id,
        name_en=row.name_en,
        name_es=row.name_es,
        kind=FoodKind(row.kind),
        energy_kcal=row.energy_kcal,
        protein_g=row.protein_g,
        carbohydrate_g=row.carbohydrate_g,
        fat_g=row.fat_g,
        allergens=_allergens(tuple(row.allergens)),
        breaks=_diets(tuple(row.breaks_diets)),
    )


def _key(value: ColumnElement[str]) -> ColumnElement[str]:
    return func.food_search_key(value)


def _search(*, spanish: bool) -> Select:
    own, other = (
        (FOODS.c.name_es, FOODS.c.name_en) if spanish else (FOODS.c.name_en, FOODS.c.name_es)
    )
    typed = _key(bindparam("typed"))
    score = func.greatest(
        func.strict_word_similarity(typed, _key(own)),
        func.strict_word_similarity(typed, _key(other)) - literal(OTHER_LANGUAGE),
        type_=Float,
    )
    near = typed.op("<<%")(_key(own)) | typed.op("<<%")(_key(other))
    # Among equals the closest whole name first: "rice" puts "White rice" before "Mexican rice".
    whole = func.greatest(func.similarity(typed, _key(own)), func.similarity(typed, _key(other)))
    return (
        select(FOODS)
        .where(near)
        .order_by(score.desc(), whole.desc(), FOODS.c.id)
        .limit(bindparam("limit"))
    )


# Run on the driver itself (domain/driver.py): a search runs for every name typed in a plan,
# and a plan's totals read a hundred foods at once.
SEARCH = {spanish: DriverStatement(_search(spanish=spanish)) for spanish in (False, True)}


async def search_foods(tx: Transaction, text: str, language: str, *, limit: int = 8) -> list[Food]:
    """Foods whose name is near the typed text, best first; [] only when nothing is near."""
    typed = " ".join(text.split())[:MAX_QUERY]
    if not typed or limit < 1:
        return []
    await (await tx.connection()).execute(SET_THRESHOLD, {"near": str(NEAREST)})
    rows = await SEARCH[is_spanish(language)].rows(tx, {"typed": typed, "limit": limit})
    return [_food(row) for row in rows]


# One statement whatever the number of ids (an expanding IN would be a new statement, and a
# new server-side prepare, for every count).
BY_IDS = DriverStatement(
    select(FOODS).where(FOODS.c.id == any_(bindparam("ids", type_=ARRAY(Integer))))
)


async def foods_by_ids(tx: Transaction, ids: Iterable[int]) -> dict[int, Food]:
    """The foods with these ids (an id not in the table is left out)."""
    wanted = sorted(set(ids))
    if not wanted:
        return {}
    return {row.id: _food(row) for row in await BY_IDS.rows(tx, {"ids": wanted})}

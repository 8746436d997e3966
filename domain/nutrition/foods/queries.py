"""The food table's statements: search by a typed name, and foods by id."""

from __future__ import annotations

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
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
from domain.models import FoodComposition

FOODS = FoodComposition.__table__

# Whole words are compared (strict_word_similarity: "chiken" is nearer "Roast chicken" than
# "Oven chips"). The index finds names at least this near (pg_trgm's `<<%` with its threshold
# set for the transaction; its default, 0.5, misses "chiken brest"), best first.
NEAREST = 0.3
# A name in the reader's other language ranks just below an equal one in their own.
OTHER_LANGUAGE = 0.05
# Through SQLAlchemy, which opens the transaction (the driver alone would run it outside one,
# and a setting local to no transaction is gone by the next statement).
SET_THRESHOLD = sql("SELECT set_config('pg_trgm.strict_word_similarity_threshold', :near, true)")


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


# One statement whatever the number of ids (an expanding IN would be a new statement, and a
# new server-side prepare, for every count).
BY_IDS = DriverStatement(
    select(FOODS).where(FOODS.c.id == any_(bindparam("ids", type_=ARRAY(Integer))))
)

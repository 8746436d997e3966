"""A program's details as typed: each refused with its hint."""

from __future__ import annotations

from decimal import Decimal

import pytest

from domain.errors import InvalidAnswer
from domain.programs import details


@pytest.mark.parametrize(
    ("parse", "typed", "key"),
    [
        (details.parse_title, "ab", "programs.error.title"),
        (details.parse_sport, "sprint: 100m", "programs.error.sport"),
        (details.parse_difficulty, "expert", "programs.error.difficulty"),
        (details.parse_weeks, "0", "programs.error.weeks"),
        (details.parse_weeks, "53", "programs.error.weeks"),
        (details.parse_skills, ", ,", "programs.error.skills"),
        (details.parse_description, "short", "programs.error.description"),
        (details.parse_price, "cheap", "programs.error.price"),
        (details.parse_price, "10000", "programs.error.price"),
    ],
)
def test_a_wrong_answer_is_refused_with_its_hint(parse, typed: str, key: str) -> None:
    with pytest.raises(InvalidAnswer) as refused:
        parse(typed)
    assert refused.value.message_key == key


def test_a_price_is_free_or_an_amount_with_or_without_its_currency() -> None:
    assert details.parse_price("Free") == (None, None)
    assert details.parse_price("gratis") == (None, None)
    assert details.parse_price("49") == (Decimal("49.00"), None)
    assert details.parse_price("€49") == (Decimal("49.00"), "EUR")
    assert details.parse_skills("speed, Speed; core") == ["speed", "Speed", "core"]

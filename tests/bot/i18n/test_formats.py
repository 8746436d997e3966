"""Dates, money and plurals come from CLDR in the reader's language."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from bot.i18n.formats import money, money_text, month_name, tn, weekday_name
from bot.local_time import local_moment, localized


@pytest.mark.parametrize(
    ("amount", "currency", "lang", "expected"),
    [
        (Decimal("40"), "EUR", "en", "€40.00"),
        (Decimal("40"), "EUR", "es", "40,00\xa0€"),
        ("4500", "JPY", "en", "¥4,500"),
        ("1234.5", "USD", "es", "1.234,50\xa0US$"),
        ("2000", "XTR", "en", "⭐ 2,000"),
        ("20000", "XTR", "es", "⭐ 20.000"),
    ],
)
def test_money_is_written_as_the_readers_language_writes_it(
    amount: object, currency: str, lang: str, expected: str
) -> None:
    assert money(amount, currency, lang) == expected  # type: ignore[arg-type]


def test_a_money_value_from_the_domain_is_put_in_words_and_anything_else_left_alone() -> None:
    assert money_text({"amount": "45.00", "currency": "EUR"}, "es") == "45,00\xa0€"
    assert money_text("45.00 EUR", "es") == "45.00 EUR"  # an outbox row queued before CLDR
    assert money_text(None, "en") is None


def test_day_and_month_names_come_from_cldr_in_each_language() -> None:
    tuesday = date(2026, 12, 1)
    assert (weekday_name(tuesday, "en"), month_name(12, "en")) == ("Tue", "Dec")
    assert (weekday_name(tuesday, "es"), month_name(12, "es")) == ("mar", "dic")
    assert month_name(12, "es", width="wide") == "diciembre"


def test_a_moment_reads_in_the_persons_zone_and_language() -> None:
    instant = datetime(2026, 12, 1, 15, 0, tzinfo=UTC)
    assert local_moment(instant, "Europe/Madrid", "en") == "Tue 1 Dec, 16:00"
    assert local_moment(instant, "Europe/Madrid", "es") == "mar 1 dic, 16:00"


@pytest.mark.parametrize(
    ("count", "lang", "expected"),
    [(1, "en", "1 year"), (0, "en", "0 years"), (7, "en", "7 years"), (1, "es", "1 año")],
)
def test_plurals_follow_the_languages_cldr_rules(count: int, lang: str, expected: str) -> None:
    assert tn("booking.coach.years", count, lang) == expected


def test_a_list_of_lines_is_worded_item_by_item_in_the_readers_zone_and_language() -> None:
    sessions = {
        "lines": "notification.digest.line",
        "items": [
            {"start_clock": "2026-12-08T15:00:00+00:00", "athletes": "Ari", "minutes": 60},
            {
                "line": "notification.digest.line_unnamed",
                "start_clock": "2026-12-08T17:00:00+00:00",
                "session_type": "group",
                "minutes": 90,
            },
        ],
    }
    worded = localized({"sessions": sessions}, "Europe/Madrid", "es")["sessions"]
    assert worded == "16:00 Ari (60 min)\n18:00 Sesión en grupo (90 min)"

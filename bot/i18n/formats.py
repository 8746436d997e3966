"""Dates, money and plurals in the reader's language, from CLDR (Babel), not hand-kept lists.

The catalogue keeps the sentences; the shape of a number, a month or a price in a language is
CLDR's business: "€40.00" in English, "40,00 €" in Spanish. Telegram Stars (XTR) have no CLDR
symbol, so they are written as Telegram writes them: "⭐ 2000".
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from functools import cache

from babel import Locale
from babel.dates import format_skeleton, get_timezone_location
from babel.numbers import format_currency, format_decimal

from bot.i18n import resolve, t

STARS = "XTR"


@cache
def locale_of(lang: str | None) -> Locale:
    """The CLDR locale of a catalogue language (the one `t` would answer in)."""
    return Locale.parse(resolve(lang))


def weekday_name(day: date, lang: str | None) -> str:
    """The abbreviated weekday: "Tue", "mar"."""
    return locale_of(lang).days["format"]["abbreviated"][day.weekday()]


def month_name(month: int, lang: str | None, *, width: str = "abbreviated") -> str:
    """A month's name, standing alone (a label, a heading): "Dec", "dic", "December"."""
    return locale_of(lang).months["stand-alone"][width][month]


def zone_city(zone: str, lang: str | None) -> str:
    """A time zone by its city in the reader's language: "Europe/Berlin" → "Berlín" in Spanish."""
    return get_timezone_location(zone, locale=locale_of(lang), return_city=True)


def clock(instant: datetime, lang: str | None) -> str:
    """The time of day in the language's 24-hour form: "16:00"."""
    return format_skeleton("Hm", instant, locale=locale_of(lang))


def money(amount: Decimal | str | int, currency: str, lang: str | None) -> str:
    """An amount with its currency as the reader writes it: "€40.00", "40,00 €", "⭐ 2000"."""
    value = Decimal(str(amount))
    if currency == STARS:
        return f"⭐ {format_decimal(value, locale=locale_of(lang))}"
    return format_currency(value, currency, locale=locale_of(lang))


def money_text(value: object, lang: str | None) -> object:
    """A money value as domain code carries it ({"amount", "currency"}) in words; else as is."""
    if isinstance(value, dict) and value.keys() == {"amount", "currency"}:
        return money(value["amount"], value["currency"], lang)
    return value


def plural_key(key: str, count: int | Decimal, lang: str | None) -> str:
    """`key` with the CLDR plural category of `count` in `lang`: "booking.coach.years.one"."""
    return f"{key}.{locale_of(lang).plural_form(abs(count))}"


def tn(key: str, count: int, lang: str | None, **params: object) -> str:
    """The message `key` in the plural form `count` takes in `lang`, with `count` filled in.

    A plural message is a family of keys, `KEY.one`, `KEY.other` (and `KEY.few`, `KEY.many`
    where a language has them); every language must have at least `.one` and `.other`.
    """
    try:
        return t(plural_key(key, count, lang), lang, count=count, **params)
    except KeyError:
        return t(f"{key}.other", lang, count=count, **params)

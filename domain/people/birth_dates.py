"""Dates of birth as people type them, and the age rules a profile must meet; pure functions."""

from __future__ import annotations

import re
from datetime import date

from domain.errors import InvalidAnswer

AGE_YEARS = (3, 100)

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan", "enero", "ene"),
            ("february", "feb", "febrero"),
            ("march", "mar", "marzo"),
            ("april", "apr", "abril", "abr"),
            ("may", "mayo"),
            ("june", "jun", "junio"),
            ("july", "jul", "julio"),
            ("august", "aug", "agosto", "ago"),
            ("september", "sep", "sept", "septiembre", "setiembre"),
            ("october", "oct", "octubre"),
            ("november", "nov", "noviembre"),
            ("december", "dec", "diciembre", "dic"),
        ],
        start=1,
    )
    for name in names
}
_NUMERIC_DATES = (
    (re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})"), (1, 2, 3)),
    (re.compile(r"(\d{1,2})[./](\d{1,2})[./](\d{4})"), (3, 2, 1)),
)
_DAY_MONTH_YEAR = re.compile(r"(\d{1,2})\.? (?:de )?([a-z]+)\.?,? (?:de )?(\d{4})")
_MONTH_DAY_YEAR = re.compile(r"([a-z]+)\.? (\d{1,2})(?:st|nd|rd|th)?,? (\d{4})")


def _calendar_date(text: str) -> date | None:
    cleaned = " ".join(text.strip().lower().split())
    for regex, (y, m, d) in _NUMERIC_DATES:
        if found := regex.fullmatch(cleaned):
            parts = found.groups()
            return _date_or_none(parts[y - 1], parts[m - 1], parts[d - 1])
    if found := _DAY_MONTH_YEAR.fullmatch(cleaned):
        day, month, year = found.groups()
        return _date_or_none(year, _MONTHS.get(month), day)
    if found := _MONTH_DAY_YEAR.fullmatch(cleaned):
        month, day, year = found.groups()
        return _date_or_none(year, _MONTHS.get(month), day)
    return None


def _date_or_none(year: str, month: str | int | None, day: str) -> date | None:
    if month is None:
        return None
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def needs_confirming(text: str) -> bool:
    """Whether a typed date reads two ways: "03/04/2012" is 3 April (as read here) or, written
    month first, 4 March; "2012-04-03", "14.03.2012" and "3 April 2012" read one way only."""
    found = _NUMERIC_DATES[1][0].fullmatch(" ".join(text.strip().split()))
    if found is None:
        return False
    first, second = int(found[1]), int(found[2])
    return first != second and first <= 12 and second <= 12


def age_on(born: date, today: date) -> int:
    """Whole years between a birth date and today."""
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))


def parse_birth_date(text: str, *, today: date) -> date:
    """A date of birth in a common format (2010-03-14, 14.03.2010, 14 March 2010...)."""
    born = _calendar_date(text)
    if born is None:
        raise InvalidAnswer("profile.hint.birth_format")
    youngest, oldest = AGE_YEARS
    if born > today or not youngest <= age_on(born, today) <= oldest:
        raise InvalidAnswer("profile.hint.birth_range", youngest=youngest, oldest=oldest)
    return born

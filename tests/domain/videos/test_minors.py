"""Who counts as a minor for video consent: under 18 by date of birth."""

from __future__ import annotations

from datetime import date

from domain.videos.consent import is_minor

TODAY = date(2026, 12, 7)


def test_the_day_before_the_eighteenth_birthday_is_still_a_minor() -> None:
    assert is_minor(date(2008, 12, 8), today=TODAY)


def test_on_the_eighteenth_birthday_no_consent_is_needed() -> None:
    assert not is_minor(date(2008, 12, 7), today=TODAY)


def test_with_no_date_of_birth_on_record_nobody_is_shown_to_be_a_minor() -> None:
    assert not is_minor(None, today=TODAY)

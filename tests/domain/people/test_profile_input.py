"""Every validator of the guided profile, table-driven: what is accepted, as what, and what not."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from domain.people.profile_input import (
    EmergencyContact,
    InvalidAnswer,
    Measurement,
    PersonName,
    format_height,
    format_weight,
    guess_timezone,
    needs_confirming,
    parse_birth_date,
    parse_email,
    parse_emergency_contact,
    parse_hand,
    parse_height,
    parse_medical_notes,
    parse_name,
    parse_phone,
    parse_position,
    parse_sport,
    parse_timezone,
    parse_weight,
    phone_from_contact,
)

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Ana", PersonName("Ana")),
        ("  Ana   María López ", PersonName("Ana", "María López")),
        ("Jean-Luc O'Neil", PersonName("Jean-Luc", "O'Neil")),
        ("Андрей Петров", PersonName("Андрей", "Петров")),
    ],
)
def test_names_are_split_into_first_and_last(text: str, expected: PersonName) -> None:
    assert parse_name(text) == expected


@pytest.mark.parametrize("text", ["", "   ", "R2D2", "ana@example.com", "🙂", "A" * 101])
def test_bad_names_are_refused_with_the_name_hint(text: str) -> None:
    with pytest.raises(InvalidAnswer) as refused:
        parse_name(text)
    assert refused.value.message_key == "profile.hint.name"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+34 600 123 456", "+34600123456"),
        ("0034 600-12-34-56", "+34600123456"),
        ("(555) 123 4567", "5551234567"),
    ],
)
def test_phone_numbers_are_normalised(text: str, expected: str) -> None:
    assert parse_phone(text) == expected


@pytest.mark.parametrize("text", ["12345", "+1 555 CALL NOW", "", "+" + "9" * 16])
def test_bad_phone_numbers_are_refused(text: str) -> None:
    with pytest.raises(InvalidAnswer, match=r"profile\.hint\.phone"):
        parse_phone(text)


def test_a_shared_contact_number_is_international() -> None:
    assert phone_from_contact("15551234567") == "+15551234567"
    assert phone_from_contact("+34600123456") == "+34600123456"


@pytest.mark.parametrize(
    ("text", "expected"),
    [(" Ana@Example.COM ", "ana@example.com"), ("a.b+c@sub.example.es", "a.b+c@sub.example.es")],
)
def test_emails_are_lower_cased(text: str, expected: str) -> None:
    assert parse_email(text) == expected


@pytest.mark.parametrize(
    "text", ["ana", "ana@", "@example.com", "ana@example", "a b@x.com", "x@y.c"]
)
def test_bad_emails_are_refused(text: str) -> None:
    with pytest.raises(InvalidAnswer, match=r"profile\.hint\.email"):
        parse_email(text)


@pytest.mark.parametrize(
    "text",
    [
        "2010-03-14",
        "14.03.2010",
        "14/03/2010",
        "14 March 2010",
        "March 14 2010",
        "March 14, 2010",
        "14 mar 2010",
        "14 de marzo de 2010",
    ],
)
def test_dates_of_birth_are_read_in_common_formats(text: str) -> None:
    assert parse_birth_date(text, today=TODAY) == date(2010, 3, 14)


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("03/04/2012", True),
        ("3.4.2012", True),
        ("14/03/2010", False),
        ("04/04/2012", False),
        ("2012-04-03", False),
        ("3 April 2012", False),
    ],
)
def test_a_birth_date_that_reads_two_ways_needs_confirming(text: str, asks: bool) -> None:
    assert needs_confirming(text) is asks


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("yesterday", "profile.hint.birth_format"),
        ("31.02.2010", "profile.hint.birth_format"),
        ("14 Smarch 2010", "profile.hint.birth_format"),
        ("2030-01-01", "profile.hint.birth_range"),  # in the future
        ("2024-01-01", "profile.hint.birth_range"),  # two years old
        ("1920-01-01", "profile.hint.birth_range"),  # 106 years old
    ],
)
def test_unreadable_or_implausible_dates_are_refused(text: str, hint: str) -> None:
    with pytest.raises(InvalidAnswer) as refused:
        parse_birth_date(text, today=TODAY)
    assert refused.value.message_key == hint


@pytest.mark.parametrize(
    ("language", "zone"),
    [
        ("es", "Europe/Madrid"),
        ("ru", "Europe/Moscow"),
        ("en", "UTC"),
        ("pt-BR", "America/Sao_Paulo"),
        ("es-MX", "Europe/Madrid"),
        (None, "UTC"),
        ("xx", "UTC"),
    ],
)
def test_the_time_zone_is_guessed_from_the_language(language: str | None, zone: str) -> None:
    assert guess_timezone(language) == zone


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Berlin", "Europe/Berlin"),
        ("new york", "America/New_York"),
        ("São Paulo", "America/Sao_Paulo"),
        ("Europe/Madrid", "Europe/Madrid"),
        ("Sevilla", "Europe/Madrid"),
        ("utc", "UTC"),
    ],
)
def test_time_zones_are_found_by_city_or_zone_name(text: str, zone: str) -> None:
    assert parse_timezone(text) == zone


@pytest.mark.parametrize("text", ["Xqzzyville", "+15", "UTC+3:17", "", "-13"])
def test_unknown_places_and_offsets_are_refused(text: str) -> None:
    with pytest.raises(InvalidAnswer, match=r"profile\.hint\.timezone"):
        parse_timezone(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("180", Measurement(180, False)),
        ("180 cm", Measurement(180, False)),
        ("1.80 m", Measurement(180, False)),
        ("1,75", Measurement(175, False)),
        ("5'11\"", Measurement(180, True)),
        ("5 ft 11 in", Measurement(180, True)),
        ("6'", Measurement(183, True)),
        ("71 in", Measurement(180, True)),
    ],
)
def test_heights_are_stored_in_centimetres(text: str, expected: Measurement) -> None:
    assert parse_height(text) == expected


@pytest.mark.parametrize("text", ["tall", "300", "40 cm", "9'", "0"])
def test_bad_heights_are_refused_with_the_range(text: str) -> None:
    with pytest.raises(InvalidAnswer) as refused:
        parse_height(text)
    assert refused.value.params == {"low": 50, "high": 250}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("70", Measurement(Decimal("70.00"), False)),
        ("70,5 kg", Measurement(Decimal("70.50"), False)),
        ("155 lb", Measurement(Decimal("70.31"), True)),
        ("155 lbs", Measurement(Decimal("70.31"), True)),
    ],
)
def test_weights_are_stored_in_kilograms(text: str, expected: Measurement) -> None:
    assert parse_weight(text) == expected


@pytest.mark.parametrize("text", ["heavy", "5", "600 lb", "70 stone"])
def test_bad_weights_are_refused(text: str) -> None:
    with pytest.raises(InvalidAnswer, match=r"profile\.hint\.weight"):
        parse_weight(text)


@pytest.mark.parametrize(("text", "ok"), [("left", True), ("Both", True), ("middle", False)])
def test_dominant_hand_is_one_of_three(text: str, ok: bool) -> None:
    if ok:
        assert parse_hand(text) == text.lower()
    else:
        with pytest.raises(InvalidAnswer, match=r"profile\.hint\.hand"):
            parse_hand(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Maria Lopez +34 600 123 456", EmergencyContact("Maria Lopez", "+34600123456")),
        ("Mom, 600123456", EmergencyContact("Mom", "600123456")),
    ],
)
def test_an_emergency_contact_is_a_name_then_a_number(
    text: str, expected: EmergencyContact
) -> None:
    assert parse_emergency_contact(text) == expected


@pytest.mark.parametrize("text", ["Maria", "+34 600 123 456", "Maria 12"])
def test_an_emergency_contact_needs_both(text: str) -> None:
    with pytest.raises(InvalidAnswer, match=r"profile\.hint\.emergency"):
        parse_emergency_contact(text)


@pytest.mark.parametrize(
    ("parse", "ok", "bad", "hint"),
    [
        (parse_sport, "Rowing", "x", "profile.hint.sport"),
        (parse_position, "goalkeeper", "p" * 51, "profile.hint.position"),
        (parse_medical_notes, "asthma", "m" * 1001, "profile.hint.medical"),
    ],
)
def test_free_text_answers_have_a_length_limit(parse, ok: str, bad: str, hint: str) -> None:
    assert parse(ok) == ok.lower() if parse is parse_sport else parse(ok) == ok
    with pytest.raises(InvalidAnswer, match=hint):
        parse(bad)


def test_measurements_are_shown_in_the_preferred_units() -> None:
    assert format_height(180, "metric") == "180 cm"
    assert format_height(180, "imperial") == "5'11\""
    assert format_weight(Decimal("70.50"), "metric") == "70.5 kg"
    assert format_weight(Decimal("70.31"), "imperial") == "155 lb"

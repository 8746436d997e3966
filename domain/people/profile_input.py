"""What a person types into their profile, validated (pydantic) and normalised; pure functions.

Each `parse_*` takes the raw answer and returns the stored form, or raises `InvalidAnswer`
whose `message_key` is the hint to re-ask with. Lengths follow the columns of `users` and
`athletes`. Dates of birth, time zones and height/weight live in their own modules
(`birth_dates`, `timezones`, `measurements`); they are re-exported here so callers keep
one import for the whole profile.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated, TypeVar

from pydantic import AfterValidator, StringConstraints, TypeAdapter, ValidationError

from domain.errors import InvalidAnswer
from domain.people.birth_dates import AGE_YEARS, age_on, needs_confirming, parse_birth_date
from domain.people.measurements import (
    CM_PER_INCH,
    HEIGHT_CM,
    KG_PER_LB,
    WEIGHT_KG,
    Measurement,
    format_height,
    format_weight,
    parse_height,
    parse_weight,
)
from domain.timezones import (
    LANGUAGE_TIMEZONES,
    OffsetNeedsZone,
    guess_timezone,
    parse_timezone,
    zone_at,
)

__all__ = [
    "AGE_YEARS",
    "CM_PER_INCH",
    "HANDS",
    "HEIGHT_CM",
    "KG_PER_LB",
    "LANGUAGE_TIMEZONES",
    "SPORTS",
    "WEIGHT_KG",
    "EmergencyContact",
    "InvalidAnswer",
    "Measurement",
    "OffsetNeedsZone",
    "PersonName",
    "age_on",
    "format_height",
    "format_weight",
    "guess_timezone",
    "needs_confirming",
    "parse_birth_date",
    "parse_email",
    "parse_emergency_contact",
    "parse_hand",
    "parse_height",
    "parse_medical_notes",
    "parse_name",
    "parse_phone",
    "parse_position",
    "parse_sport",
    "parse_timezone",
    "parse_weight",
    "phone_from_contact",
    "zone_at",
]

T = TypeVar("T")
HANDS = ("left", "right", "both")
SPORTS = ("football", "basketball", "tennis", "swimming", "athletics", "volleyball")


@dataclass(frozen=True)
class PersonName:
    """A first name and an optional last name."""

    first: str
    last: str = ""


@dataclass(frozen=True)
class EmergencyContact:
    """Who to call, and their number."""

    name: str
    phone: str


def _letters_only(value: str) -> str:
    if not re.fullmatch(r"[^\W\d_]+(?:[ '’.\-][^\W\d_]*)*", value):
        raise ValueError("letters, spaces, hyphens and apostrophes only")
    return value


def _text(max_length: int, min_length: int = 1) -> TypeAdapter[str]:
    constraints = StringConstraints(
        strip_whitespace=True, min_length=min_length, max_length=max_length
    )
    return TypeAdapter(Annotated[str, constraints])


_NAME = TypeAdapter(
    Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200),
              AfterValidator(_letters_only)]
)  # fmt: skip
_EMAIL = TypeAdapter(
    Annotated[
        str,
        StringConstraints(
            strip_whitespace=True, to_lower=True, max_length=255,
            pattern=r"^[^@\s]+@[^@\s.]+(\.[^@\s.]+)*\.[A-Za-z]{2,}$",
        ),
    ]
)  # fmt: skip
_PHONE_DIGITS = TypeAdapter(Annotated[str, StringConstraints(pattern=r"^\d{7,15}$")])
_POSITION = _text(50)
_SPORT = TypeAdapter(
    Annotated[str, StringConstraints(strip_whitespace=True, to_lower=True, min_length=2,
                                     max_length=50), AfterValidator(_letters_only)]
)  # fmt: skip
_MEDICAL = _text(1000)


def _validated(adapter: TypeAdapter[T], value: object, hint: str) -> T:
    try:
        return adapter.validate_python(value)
    except ValidationError:
        raise InvalidAnswer(hint) from None


def parse_name(text: str) -> PersonName:
    """A name as typed: the first word is the first name, the rest the last name."""
    name = " ".join(_validated(_NAME, text, "profile.hint.name").split())
    first, _, last = name.partition(" ")
    if len(first) > 100 or len(last) > 100:
        raise InvalidAnswer("profile.hint.name")
    return PersonName(first, last)


def parse_phone(text: str) -> str:
    """A phone number of 7 to 15 digits; "+" kept (or made from "00") when international."""
    compact = re.sub(r"[\s().\-]", "", text.strip())
    international = compact.startswith(("+", "00"))
    digits = compact[1:] if compact.startswith("+") else compact
    digits = digits[2:] if digits.startswith("00") else digits
    digits = _validated(_PHONE_DIGITS, digits, "profile.hint.phone")
    return f"+{digits}" if international else digits


def phone_from_contact(number: str) -> str:
    """A number Telegram shared (always international, "+" often left out)."""
    return parse_phone(number if number.startswith("+") else f"+{number}")


def parse_email(text: str) -> str:
    """An email address, lower-cased."""
    return _validated(_EMAIL, text, "profile.hint.email")


def parse_sport(text: str) -> str:
    """A sport, lower-case (a button's key or free text)."""
    return " ".join(_validated(_SPORT, text, "profile.hint.sport").split())


def parse_position(text: str) -> str:
    """A playing position (goalkeeper, point guard...)."""
    return _validated(_POSITION, text, "profile.hint.position")


def parse_hand(value: str) -> str:
    """left, right or both."""
    hand = value.strip().lower()
    if hand not in HANDS:
        raise InvalidAnswer("profile.hint.hand")
    return hand


_NAME_THEN_PHONE = re.compile(
    r"(?P<name>.*?[^\d\s+(),;:\-])[\s,;:\-]+(?P<phone>\+?[\d\s().\-]{7,})"
)


def parse_emergency_contact(text: str) -> EmergencyContact:
    """A name followed by a phone number: "Maria Lopez +34 600 123 456"."""
    found = _NAME_THEN_PHONE.fullmatch(" ".join(text.strip().split()))
    if found is None:
        raise InvalidAnswer("profile.hint.emergency")
    try:
        name = parse_name(found["name"])
        phone = parse_phone(found["phone"])
    except InvalidAnswer:
        raise InvalidAnswer("profile.hint.emergency") from None
    return EmergencyContact(f"{name.first} {name.last}".strip(), phone)


def parse_medical_notes(text: str) -> str:
    """Free-text medical notes (allergies, conditions), up to 1000 characters."""
    return _validated(_MEDICAL, text, "profile.hint.medical")

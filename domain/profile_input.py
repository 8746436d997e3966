"""What a person types into their profile, validated (pydantic) and normalised; pure functions.

Each `parse_*` takes the raw answer and returns the stored form, or raises `InvalidAnswer`
whose `message_key` is the hint to re-ask with. Lengths follow the columns of `users` and
`athletes`; measurements are stored metric whatever the person typed.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from typing import Annotated, TypeVar
from zoneinfo import available_timezones

from pydantic import AfterValidator, StringConstraints, TypeAdapter, ValidationError

from domain.errors import InvalidInput

T = TypeVar("T")
CM_PER_INCH = Decimal("2.54")
KG_PER_LB = Decimal("0.45359237")
HEIGHT_CM = (50, 250)
WEIGHT_KG = (Decimal(10), Decimal(250))
AGE_YEARS = (3, 100)
HANDS = ("left", "right", "both")
SPORTS = ("football", "basketball", "tennis", "swimming", "athletics", "volleyball")


class InvalidAnswer(InvalidInput):
    """An answer the person can fix; `message_key` is the hint to re-ask with."""

    def __init__(self, hint_key: str, **params: object) -> None:
        super().__init__(hint_key, **params)
        self.message_key = hint_key


@dataclass(frozen=True)
class PersonName:
    """A first name and an optional last name."""

    first: str
    last: str = ""


@dataclass(frozen=True)
class Measurement:
    """A metric value, and whether the person typed it in imperial units."""

    value: int | Decimal
    imperial: bool


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


LANGUAGE_TIMEZONES = {
    "en": "UTC",
    "en-gb": "Europe/London",
    "es": "Europe/Madrid",
    "ru": "Europe/Moscow",
    "de": "Europe/Berlin",
    "fr": "Europe/Paris",
    "it": "Europe/Rome",
    "pt": "Europe/Lisbon",
    "pt-br": "America/Sao_Paulo",
    "uk": "Europe/Kyiv",
    "pl": "Europe/Warsaw",
    "nl": "Europe/Amsterdam",
    "tr": "Europe/Istanbul",
}
# Offsets that are not whole hours have no Etc/GMT zone; a city that keeps them stands in.
_PART_HOUR_ZONES = {
    (-1, 9, 30): "Pacific/Marquesas",
    (-1, 3, 30): "America/St_Johns",
    (1, 3, 30): "Asia/Tehran",
    (1, 4, 30): "Asia/Kabul",
    (1, 5, 30): "Asia/Kolkata",
    (1, 5, 45): "Asia/Kathmandu",
    (1, 6, 30): "Asia/Yangon",
    (1, 9, 30): "Australia/Darwin",
    (1, 10, 30): "Australia/Adelaide",
    (1, 12, 45): "Pacific/Chatham",
}
_OFFSET = re.compile(r"(?:utc|gmt)?\s*([+-])\s*(\d{1,2})(?::?(\d{2}))?")


def guess_timezone(language_code: str | None, default: str = "UTC") -> str:
    """A likely time zone for a Telegram language code ("es" → Europe/Madrid)."""
    code = (language_code or "").lower().replace("_", "-")
    return LANGUAGE_TIMEZONES.get(code) or LANGUAGE_TIMEZONES.get(code.split("-")[0]) or default


@cache
def _zones_by_city() -> dict[str, str]:
    zones = sorted(z for z in available_timezones() if not z.startswith(("posix/", "right/")))
    by_city: dict[str, str] = {}
    for zone in zones:
        by_city.setdefault(zone.lower(), zone)
        by_city.setdefault(zone.rsplit("/", 1)[-1].lower(), zone)
    return by_city


def _offset_zone(text: str) -> str | None:
    found = _OFFSET.fullmatch(text)
    if found is None:
        return None
    sign = 1 if found[1] == "+" else -1
    hours, minutes = int(found[2]), int(found[3] or 0)
    if minutes:
        return _PART_HOUR_ZONES.get((sign, hours, minutes))
    if hours == 0:
        return "UTC"
    if hours > (14 if sign > 0 else 12):
        return None
    # Etc/GMT names count the other way round: UTC+3 is Etc/GMT-3.
    return f"Etc/GMT{'-' if sign > 0 else '+'}{hours}"


def parse_timezone(text: str) -> str:
    """An IANA zone from a city ("Berlin", "New York"), a zone name or an offset ("UTC-05:00")."""
    cleaned = " ".join(text.strip().lower().split())
    if cleaned in ("utc", "gmt"):
        return "UTC"
    ascii_city = unicodedata.normalize("NFKD", cleaned).encode("ascii", "ignore").decode()
    zone = _offset_zone(cleaned) or _zones_by_city().get(ascii_city.replace(" ", "_"))
    if zone is None:
        raise InvalidAnswer("profile.hint.timezone")
    return zone


def parse_sport(text: str) -> str:
    """A sport, lower-case (a button's key or free text)."""
    return " ".join(_validated(_SPORT, text, "profile.hint.sport").split())


def parse_position(text: str) -> str:
    """A playing position (goalkeeper, point guard...)."""
    return _validated(_POSITION, text, "profile.hint.position")


_CENTIMETRES = re.compile(r"(\d{2,3}(?:[.,]\d+)?)\s*(?:cm)?")
_METRES = re.compile(r"([12][.,]\d{1,2})\s*m?")
_FEET_INCHES = re.compile(
    r"(\d)\s*(?:'|’|ft|feet|foot)\s*(?:(\d{1,2}(?:[.,]\d+)?)\s*(?:\"|”|''|in|inch|inches)?)?"
)
_INCHES = re.compile(r"(\d{2,3}(?:[.,]\d+)?)\s*(?:\"|”|''|in|inch|inches)")


def _number(text: str) -> Decimal:
    return Decimal(text.replace(",", "."))


def _height_cm(text: str) -> tuple[Decimal, bool] | None:
    if found := _FEET_INCHES.fullmatch(text):
        inches = int(found[1]) * 12 + _number(found[2] or "0")
        return inches * CM_PER_INCH, True
    if found := _INCHES.fullmatch(text):
        return _number(found[1]) * CM_PER_INCH, True
    if found := _METRES.fullmatch(text):
        return _number(found[1]) * 100, False
    if found := _CENTIMETRES.fullmatch(text):
        return _number(found[1]), False
    return None


def parse_height(text: str) -> Measurement:
    """A height in cm (180, 1.80 m) or imperial (5'11", 71 in), stored as whole centimetres."""
    parsed = _height_cm(" ".join(text.strip().lower().split()))
    low, high = HEIGHT_CM
    if parsed is None or not low <= parsed[0] <= high:
        raise InvalidAnswer("profile.hint.height", low=low, high=high)
    centimetres = int(parsed[0].quantize(Decimal(1), rounding=ROUND_HALF_UP))
    return Measurement(centimetres, parsed[1])


_WEIGHT = re.compile(r"(\d{1,3}(?:[.,]\d{1,2})?)\s*(kg|kgs|kilos?|lb|lbs|pounds?)?")


def parse_weight(text: str) -> Measurement:
    """A weight in kg (70, 70.5 kg) or pounds (155 lb), stored in kg to two decimals."""
    found = _WEIGHT.fullmatch(" ".join(text.strip().lower().split()))
    low, high = WEIGHT_KG
    if found is None:
        raise InvalidAnswer("profile.hint.weight", low=low, high=high)
    imperial = (found[2] or "").startswith(("lb", "pound"))
    kilograms = _number(found[1]) * (KG_PER_LB if imperial else 1)
    if not low <= kilograms <= high:
        raise InvalidAnswer("profile.hint.weight", low=low, high=high)
    return Measurement(kilograms.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), imperial)


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


def format_height(centimetres: int, units: str) -> str:
    """A stored height as the person prefers to read it: 180 cm or 5'11"."""
    if units != "imperial":
        return f"{centimetres} cm"
    inches = int((Decimal(centimetres) / CM_PER_INCH).quantize(Decimal(1), ROUND_HALF_UP))
    return f"{inches // 12}'{inches % 12}\""


def format_weight(kilograms: Decimal, units: str) -> str:
    """A stored weight as the person prefers to read it: 70.5 kg or 155 lb."""
    if units != "imperial":
        return f"{kilograms.normalize():f} kg"
    return f"{(kilograms / KG_PER_LB).quantize(Decimal(1), ROUND_HALF_UP)} lb"

"""The profile fields a person edits one at a time, and how an answer lands in the rows."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from enum import StrEnum

from domain.errors import InvalidInput
from domain.models import Athlete, User
from domain.people.phone_numbers import phone_index
from domain.people.profile_input import (
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
)
from domain.secrets_box import SecretBox


class ProfileField(StrEnum):
    """A field of the profile; the value is what buttons and audit entries carry."""

    NAME = "name"
    PHONE = "phone"
    EMAIL = "email"
    BIRTH_DATE = "birth"
    TIMEZONE = "timezone"
    SPORT = "sport"
    POSITION = "position"
    HEIGHT = "height"
    WEIGHT = "weight"
    HAND = "hand"
    EMERGENCY = "emergency"
    MEDICAL = "medical"


ATHLETE_FIELDS = frozenset(
    {
        ProfileField.SPORT,
        ProfileField.POSITION,
        ProfileField.HEIGHT,
        ProfileField.WEIGHT,
        ProfileField.HAND,
        ProfileField.EMERGENCY,
        ProfileField.MEDICAL,
    }
)


def fields_for(has_athlete_profile: bool) -> list[ProfileField]:
    """The fields a profile has: everyone's, plus the athlete's when there is one."""
    return [f for f in ProfileField if has_athlete_profile or f not in ATHLETE_FIELDS]


def apply_answer(
    field: ProfileField,
    answer: str,
    *,
    user: User,
    athlete: Athlete | None,
    box: SecretBox,
    today: date,
) -> None:
    """Validate `answer` for `field` and set it on the rows (sensitive ones encrypted)."""
    if field in ATHLETE_FIELDS:
        if athlete is None:
            raise InvalidInput(f"{field.value} needs an athlete profile")
        _ATHLETE_SETTERS[field](athlete, user, answer, box)
        return
    _USER_SETTERS[field](user, answer, box, today)


def _set_name(user: User, answer: str, box: SecretBox, today: date) -> None:
    name = parse_name(answer)
    user.first_name, user.last_name = name.first, name.last


def _set_phone(user: User, answer: str, box: SecretBox, today: date) -> None:
    phone = parse_phone(answer)
    user.phone_number, user.phone_number_index = box.encrypt(phone), phone_index(phone, box)


def _set_email(user: User, answer: str, box: SecretBox, today: date) -> None:
    user.email = parse_email(answer)


def _set_birth_date(user: User, answer: str, box: SecretBox, today: date) -> None:
    user.date_of_birth_encrypted = box.encrypt_date(parse_birth_date(answer, today=today))


def _set_timezone(user: User, answer: str, box: SecretBox, today: date) -> None:
    user.timezone = parse_timezone(answer)


def _set_sport(athlete: Athlete, user: User, answer: str, box: SecretBox) -> None:
    athlete.primary_sport = parse_sport(answer)


def _set_position(athlete: Athlete, user: User, answer: str, box: SecretBox) -> None:
    athlete.position = parse_position(answer)


def _set_height(athlete: Athlete, user: User, answer: str, box: SecretBox) -> None:
    height = parse_height(answer)
    athlete.height_cm = int(height.value)
    user.units = "imperial" if height.imperial else "metric"  # the units they last typed in


def _set_weight(athlete: Athlete, user: User, answer: str, box: SecretBox) -> None:
    weight = parse_weight(answer)
    athlete.weight_kg = weight.value  # type: ignore[assignment]
    user.units = "imperial" if weight.imperial else "metric"


def _set_hand(athlete: Athlete, user: User, answer: str, box: SecretBox) -> None:
    athlete.dominant_hand = parse_hand(answer)


def _set_emergency(athlete: Athlete, user: User, answer: str, box: SecretBox) -> None:
    contact = parse_emergency_contact(answer)
    athlete.emergency_contact_name = box.encrypt(contact.name)
    athlete.emergency_contact_phone = box.encrypt(contact.phone)


def _set_medical(athlete: Athlete, user: User, answer: str, box: SecretBox) -> None:
    athlete.medical_conditions = box.encrypt(parse_medical_notes(answer))


_USER_SETTERS: dict[ProfileField, Callable[[User, str, SecretBox, date], None]] = {
    ProfileField.NAME: _set_name,
    ProfileField.PHONE: _set_phone,
    ProfileField.EMAIL: _set_email,
    ProfileField.BIRTH_DATE: _set_birth_date,
    ProfileField.TIMEZONE: _set_timezone,
}
_ATHLETE_SETTERS: dict[ProfileField, Callable[[Athlete, User, str, SecretBox], None]] = {
    ProfileField.SPORT: _set_sport,
    ProfileField.POSITION: _set_position,
    ProfileField.HEIGHT: _set_height,
    ProfileField.WEIGHT: _set_weight,
    ProfileField.HAND: _set_hand,
    ProfileField.EMERGENCY: _set_emergency,
    ProfileField.MEDICAL: _set_medical,
}

"""The catalogue of coaching specializations, and how free-text ones are cleaned up."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from domain.errors import InvalidInput

MIN_LENGTH = 2
MAX_LENGTH = 40
MAX_SPECIALIZATIONS = 10
# Several custom entries may come in one message: "sprint, long jump; hurdles".
_SEPARATORS = re.compile(r"[,;\n]+")
# Letters (any script), digits, spaces and a little punctuation, e.g. "u-12 goalkeeping".
_ALLOWED = re.compile(r"^[\w '&./+-]+$")


@dataclass(frozen=True)
class Specialization:
    """One entry of the catalogue: a stable id (stored) and the message key of its name."""

    id: str

    @property
    def message_key(self) -> str:
        """The i18n key of its name."""
        return f"coach.spec.{self.id}"


CATALOGUE: tuple[Specialization, ...] = tuple(
    Specialization(id_)
    for id_ in (
        "football",
        "basketball",
        "tennis",
        "swimming",
        "athletics",
        "volleyball",
        "fitness",
        "martial_arts",
        "cycling",
        "goalkeeping",
    )
)
_BY_ID = {spec.id: spec for spec in CATALOGUE}


class TooManySpecializations(InvalidInput):
    """More specializations than a profile holds."""

    message_key = "coach.error.too_many_specializations"


class BadSpecialization(InvalidInput):
    """A custom specialization that is too short, too long or full of odd characters."""

    message_key = "coach.error.bad_specialization"


def from_catalogue(spec_id: str) -> Specialization | None:
    """The catalogue entry with this id, or None."""
    return _BY_ID.get(spec_id)


def normalise(text: str) -> str:
    """A free-text specialization cleaned up: one line, single spaces, lower case, checked."""
    cleaned = " ".join(unicodedata.normalize("NFKC", text).split()).strip(" .-").casefold()
    if not MIN_LENGTH <= len(cleaned) <= MAX_LENGTH or not _ALLOWED.match(cleaned):
        raise BadSpecialization(cleaned[:MAX_LENGTH], min=MIN_LENGTH, max=MAX_LENGTH)
    # "Martial arts" typed by hand is the catalogue's entry, not a second one.
    catalogue_id = cleaned.replace(" ", "_")
    return catalogue_id if catalogue_id in _BY_ID else cleaned


def parse_custom(text: str) -> list[str]:
    """Every specialization in a message, normalised, in the order typed."""
    parts = [part for part in _SEPARATORS.split(text) if part.strip()]
    if not parts:
        raise BadSpecialization(min=MIN_LENGTH, max=MAX_LENGTH)
    return [normalise(part) for part in parts]


def merged(current: list[str], added: list[str]) -> list[str]:
    """`current` followed by the new entries of `added`, without repeats, within the limit."""
    result = list(dict.fromkeys([*current, *added]))
    if len(result) > MAX_SPECIALIZATIONS:
        raise TooManySpecializations(max=MAX_SPECIALIZATIONS)
    return result


def toggled(current: list[str], spec_id: str) -> list[str]:
    """`current` with a catalogue entry added, or removed if it was there."""
    if spec_id in current:
        return [spec for spec in current if spec != spec_id]
    return merged(current, [spec_id])

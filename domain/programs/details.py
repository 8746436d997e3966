"""A program's details as a coach answers them: title, sport, level, weeks, skills, description,
price. Each answer is checked as it comes, with a hint the chat asks again with."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum

from domain.coaching.profile import parse_rate
from domain.coaching.specializations import CATALOGUE
from domain.errors import InvalidAnswer, InvalidInput
from domain.programs.content import MAX_WEEKS

MAX_TITLE, MAX_SPORT, MAX_DESCRIPTION = 80, 40, 2000
MAX_SKILLS, MAX_SKILL = 10, 40
SPORTS = tuple(spec.id for spec in CATALOGUE)
FREE_WORDS = frozenset({"free", "0", "gratis", "gratuito", "-"})
_SEPARATORS = re.compile(r"[,;\n]+")


class Difficulty(StrEnum):
    """How hard a program is; the catalogue is browsed by it."""

    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


@dataclass(frozen=True)
class ProgramDetails:
    """Everything about a program but its content."""

    title: str
    sport: str
    difficulty: Difficulty
    weeks: int
    skills: list[str]
    description: str
    price: Decimal | None  # None: free
    currency: str | None  # None: the coach's own


def parse_title(text: str) -> str:
    """A title of 3 to 80 characters."""
    title = " ".join(text.split())
    if not 3 <= len(title) <= MAX_TITLE:
        raise InvalidAnswer("programs.error.title", max=MAX_TITLE)
    return title


def parse_sport(text: str) -> str:
    """A sport of the coaching catalogue by its id, or a typed one, lower-cased."""
    sport = " ".join(text.split()).lower()
    # Counted in bytes: the catalogue's buttons carry the sport within Telegram's 64 bytes.
    if not 2 <= len(sport.encode()) <= MAX_SPORT or not re.fullmatch(r"[\w '&./+-]+", sport):
        raise InvalidAnswer("programs.error.sport", max=MAX_SPORT)
    return sport


def parse_difficulty(text: str) -> Difficulty:
    """One of the three levels."""
    try:
        return Difficulty(text.strip().lower())
    except ValueError as err:
        raise InvalidAnswer("programs.error.difficulty") from err


def parse_weeks(text: str) -> int:
    """How many weeks: 1 to 52."""
    stripped = text.strip()
    if not stripped.isdigit() or not 1 <= int(stripped) <= MAX_WEEKS:
        raise InvalidAnswer("programs.error.weeks", most=MAX_WEEKS)
    return int(stripped)


def parse_skills(text: str) -> list[str]:
    """Target skills, comma-separated: at most 10 of at most 40 characters each."""
    skills = [" ".join(s.split()) for s in _SEPARATORS.split(text) if s.strip()]
    if not skills or len(skills) > MAX_SKILLS or any(len(s) > MAX_SKILL for s in skills):
        raise InvalidAnswer("programs.error.skills", most=MAX_SKILLS, longest=MAX_SKILL)
    return list(dict.fromkeys(skills))


def parse_description(text: str) -> str:
    """A description of 10 to 2000 characters."""
    description = text.strip()
    if not 10 <= len(description) <= MAX_DESCRIPTION:
        raise InvalidAnswer("programs.error.description", max=MAX_DESCRIPTION)
    return description


def parse_price(text: str) -> tuple[Decimal | None, str | None]:
    """A price like "49", "49 EUR", "€49" (the coach's currency if none), or free."""
    if text.strip().lower() in FREE_WORDS:
        return None, None
    try:
        rate = parse_rate(text)
    except InvalidInput as err:
        raise InvalidAnswer("programs.error.price") from err
    return rate.amount, rate.currency

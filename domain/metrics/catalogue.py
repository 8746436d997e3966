"""The metric types an athlete can log: the built-in catalogue plus their coaches' own."""

from __future__ import annotations

import difflib
import re
import unicodedata
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from domain.errors import AlreadyExists, InvalidInput, NotAllowed
from domain.metrics.queries.types import types_for, types_of_coach
from domain.metrics.units import CANONICAL_UNITS, unit_of
from domain.models import MetricType
from domain.policy import Actor
from domain.uow import Transaction, UnitOfWork

CATEGORIES = ("speed", "strength", "endurance", "body", "technique")
BETTER = ("higher", "lower", "neither")
NAME_LENGTH = 100
# NUMERIC(14, 4): ten digits before the point.
STORED_PLACES = Decimal("0.0001")
LARGEST_VALUE = Decimal("9999999999.9999")
_SUGGEST_CUTOFF = 0.6
_WORD_CUTOFF = 0.8
_WORD_LENGTH = 4
# Where a note starts in a one-line log entry.
NOTE_MARK = re.compile(r"#|\bnotes?\s*:", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]+|\d+(?:[.,]\d+)?")


class CatalogueError(InvalidInput):
    """A coach's new metric type breaks a rule they can fix; `message_key` says which."""

    def __init__(self, message_key: str, **params: object) -> None:
        super().__init__(message_key, **params)
        self.message_key = message_key


@dataclass(frozen=True)
class MetricKind:
    """One metric type as the domain reads it: canonical unit, direction, plausible bounds."""

    id: uuid.UUID
    key: str
    name: str
    sport: str | None
    category: str
    unit: str
    better: str
    min_value: Decimal
    max_value: Decimal
    aliases: tuple[str, ...]
    coach_id: uuid.UUID | None

    @classmethod
    def from_row(cls, row: MetricType) -> MetricKind:
        """The frozen view of a loaded `metric_types` row."""
        return cls(
            id=row.id,
            key=row.key,
            name=row.name,
            sport=row.sport,
            category=row.category,
            unit=row.unit,
            better=row.better,
            min_value=row.min_value,
            max_value=row.max_value,
            aliases=tuple(row.aliases or ()),
            coach_id=row.coach_id,
        )

    def reference(self) -> dict[str, str]:
        """How notices and errors name it: a built-in by its code (worded in each reader's
        language), a coach's own metric by the name the coach gave it."""
        return {"code": self.key} if self.coach_id is None else {"name": self.name}

    def spellings(self) -> tuple[str, ...]:
        """Every text that names this metric: name, key and aliases."""
        return (self.name, self.key, *self.aliases)


def words(text: str) -> tuple[str, ...]:
    """Lower-case words and numbers, accents and punctuation dropped: "40m-Sprint" → 40 m sprint."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return tuple(_WORD.findall(plain))


@lru_cache(maxsize=4096)
def _forms(text: str) -> tuple[str, str]:
    # Run together ("40 m" = "40m") and in any order ("sprint 40m" = "40m sprint").
    found = words(text)
    return "".join(found), " ".join(sorted(found))


def find(catalogue: Sequence[MetricKind], text: str) -> MetricKind | None:
    """The metric `text` names by key, name or alias, ignoring case, spaces, order, punctuation."""
    joined, ordered = _forms(text)
    if not joined:
        return None
    # A name beats an alias, so a coach's "Sprint" is not hidden by a built-in's alias.
    for kind in catalogue:
        if joined in (_forms(kind.name)[0], _forms(kind.key)[0]):
            return kind
    for kind in catalogue:
        if any(joined == _forms(alias)[0] for alias in kind.aliases):
            return kind
    for kind in catalogue:
        if any(ordered == _forms(spelling)[1] for spelling in kind.spellings()):
            return kind
    return None


SUGGEST_CHARS = 60


def suggest(catalogue: Sequence[MetricKind], text: str, limit: int = 3) -> list[MetricKind]:
    """The metrics whose names look most like `text`, nearest first (for typos)."""
    # A metric's name is a few words: comparing more of a line only costs time (quadratic in
    # its length), and a 4,000-character line must not take seconds to answer.
    text = text[:SUGGEST_CHARS]
    joined, ordered = _forms(text)
    if not joined:
        return []
    typed_words = tuple(dict.fromkeys(_name_words(text)))
    scored: dict[uuid.UUID, tuple[float, float, MetricKind]] = {}
    for kind in catalogue:
        whole = max(_likeness((joined, ordered), _forms(s)) for s in kind.spellings())
        # One word alike is enough: "sprnt" names no distance, and a note typed without its
        # "#" ("sprnt 5.12 into the wind") cannot be told from the name, yet "sprint" is there.
        by_word = max(_word_likeness(typed_words, _name_words(s)) for s in kind.spellings())
        if whole >= _SUGGEST_CUTOFF or by_word >= _WORD_CUTOFF:
            scored[kind.id] = (max(whole, by_word), whole, kind)
    ranked = sorted(scored.values(), key=lambda scores: (-scores[0], -scores[1]))
    return [kind for _, _, kind in ranked[:limit]]


def _likeness(typed: tuple[str, str], known: tuple[str, str]) -> float:
    return max(
        difflib.SequenceMatcher(None, a, b).ratio() for a, b in zip(typed, known, strict=True)
    )


@lru_cache(maxsize=4096)
def _name_words(text: str) -> tuple[str, ...]:
    # Short words ("m", "hr", "lj") resemble too many others to suggest anything on their own.
    return tuple(word for word in words(text) if word.isalpha() and len(word) >= _WORD_LENGTH)


def _word_likeness(typed: tuple[str, ...], known: tuple[str, ...]) -> float:
    pairs = [(a, b) for a in typed for b in known]
    return max((difflib.SequenceMatcher(None, a, b).ratio() for a, b in pairs), default=0.0)


def is_plausible(kind: MetricKind, value: Decimal) -> bool:
    """Whether a value in the metric's canonical unit lies within its plausible bounds."""
    return kind.min_value <= value <= kind.max_value


async def catalogue_for(
    uow: UnitOfWork, *, athlete_id: uuid.UUID | None, coach_id: uuid.UUID | None = None
) -> list[MetricKind]:
    """Built-in metrics plus those of the athlete's coaches (and of `coach_id`, if given)."""
    async with uow as tx:
        rows = await types_for(tx, athlete_id=athlete_id, coach_id=coach_id)
        return [MetricKind.from_row(row) for row in rows]


async def add_custom(
    uow: UnitOfWork,
    *,
    actor: Actor,
    name: str,
    unit: str,
    better: str,
    category: str,
    min_value: Decimal,
    max_value: Decimal,
) -> MetricKind:
    """A coach's own metric type, usable by the athletes they coach; audited."""
    if actor.coach_id is None:
        raise NotAllowed("metrics.add_custom")
    name = " ".join(name.split())
    canonical = unit_of(unit) or unit
    _check_custom(name, canonical, better, category)
    low, high = _stored_bounds(min_value, max_value)
    async with uow as tx:
        existing = await catalogue_for_coach(tx, coach_id=actor.coach_id)
        if find(existing, name) is not None:
            raise AlreadyExists("metrics.error.exists", name=name)
        row = MetricType(
            key=custom_key(name, actor.coach_id),
            name=name,
            category=category,
            unit=canonical,
            better=better,
            min_value=low,
            max_value=high,
            aliases=[],
            coach_id=actor.coach_id,
        )
        tx.session.add(row)
        await tx.flush()
        tx.audit.record(
            actor_id=actor.user_id,
            action="metric_type.created",
            entity="metric_type",
            entity_id=row.id,
            details={"key": row.key, "name": name, "unit": canonical},
        )
        await tx.commit()
        return MetricKind.from_row(row)


async def catalogue_for_coach(tx: Transaction, *, coach_id: uuid.UUID) -> list[MetricKind]:
    """Built-ins and one coach's own metrics, inside an open transaction."""
    return [MetricKind.from_row(row) for row in await types_of_coach(tx, coach_id)]


def custom_key(name: str, coach_id: uuid.UUID) -> str:
    """A key for a coach's metric; the coach's id in it keeps two coaches' keys apart in logs."""
    slug = "_".join(words(name))[:80] or "metric"
    return f"{slug}_{coach_id.hex[:8]}"


def _check_custom(name: str, unit: str, better: str, category: str) -> None:
    if not _readable_name(name):
        raise CatalogueError("metrics.error.bad_name", name=name)
    if unit not in CANONICAL_UNITS:
        accepted = ", ".join(CANONICAL_UNITS)
        raise CatalogueError("metrics.error.bad_unit", unit=unit, accepted=accepted)
    if better not in BETTER:
        raise CatalogueError("metrics.error.bad_direction", better=better)
    if category not in CATEGORIES:
        raise CatalogueError("metrics.error.bad_category", category=category)


def _stored_bounds(low: Decimal, high: Decimal) -> tuple[Decimal, Decimal]:
    # Rounded as the column will round them, so the kind returned is the kind stored and
    # 1.00001 < 1.00002 cannot become 1.0000 = 1.0000.
    if -LARGEST_VALUE <= low < high <= LARGEST_VALUE:
        low, high = low.quantize(STORED_PLACES), high.quantize(STORED_PLACES)
        if low < high:
            return low, high
    raise CatalogueError("metrics.error.bad_bounds", min=str(low), max=str(high))


def _readable_name(name: str) -> bool:
    # A one-line log reads the name back: "#" and "note:" start a note there.
    return bool(words(name)) and len(name) <= NAME_LENGTH and not NOTE_MARK.search(name)

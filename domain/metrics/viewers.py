"""Who may look at whose progress, and how they read it (time zone, units)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from domain import policy
from domain.people.queries import first_names, timezone_and_units
from domain.policy import Action, Actor, AthleteTarget
from domain.uow import UnitOfWork


@dataclass(frozen=True)
class Reader:
    """How a person reads values and times: their zone and units ("metric" or "imperial")."""

    timezone: str
    units: str


async def reader_of(uow: UnitOfWork, *, actor: Actor) -> Reader:
    """The actor's own time zone and units."""
    async with uow as tx:
        timezone, units = await timezone_and_units(tx, actor.user_id)
    return Reader(timezone or "UTC", units or "metric")


@dataclass(frozen=True)
class AthleteName:
    """An athlete someone may look at, by first name."""

    athlete_id: uuid.UUID
    name: str


async def athletes_in_view(uow: UnitOfWork, *, actor: Actor) -> list[AthleteName]:
    """Everyone whose metrics the actor may see: themself first, then by name."""
    candidates = {
        athlete_id
        for athlete_id in (
            {actor.own_athlete_id}
            | actor.guarded_athlete_ids
            | actor.mentored_athlete_ids
            | actor.coached_athlete_ids
        )
        if athlete_id is not None
        and policy.may(actor, Action.VIEW_METRICS, AthleteTarget(athlete_id))
    }
    if not candidates:
        return []
    async with uow as tx:
        names = await first_names(tx, candidates)
    return sorted(
        (AthleteName(athlete_id, name) for athlete_id, name in names.items()),
        key=lambda athlete: (athlete.athlete_id != actor.own_athlete_id, athlete.name.lower()),
    )

"""Who may look at whose progress, and how they read it (time zone, units)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from domain import policy
from domain.models import Athlete, User
from domain.policy import Action, Actor, AthleteTarget
from domain.uow import Transaction, UnitOfWork


@dataclass(frozen=True)
class Reader:
    """How a person reads values and times: their zone and units ("metric" or "imperial")."""

    timezone: str
    units: str


async def reader_of(uow: UnitOfWork, *, actor: Actor) -> Reader:
    """The actor's own time zone and units."""
    async with uow as tx:
        row = (
            await tx.session.execute(
                select(User.timezone, User.units).where(User.id == actor.user_id)
            )
        ).first()
    if row is None:
        return Reader("UTC", "metric")
    return Reader(row.timezone or "UTC", row.units or "metric")


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
        names = await athlete_names(tx, candidates)
    return sorted(
        (AthleteName(athlete_id, name) for athlete_id, name in names.items()),
        key=lambda athlete: (athlete.athlete_id != actor.own_athlete_id, athlete.name.lower()),
    )


async def athlete_names(
    tx: Transaction, athlete_ids: set[uuid.UUID] | frozenset[uuid.UUID]
) -> dict[uuid.UUID, str]:
    """First names by athlete id, inside an open transaction."""
    rows = await tx.session.execute(
        select(Athlete.id, User.first_name)
        .join(User, User.id == Athlete.user_id)
        .where(Athlete.id.in_(athlete_ids))
    )
    return {athlete_id: name for athlete_id, name in rows}

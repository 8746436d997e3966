"""The people capability's reads: names, time zones and units of users and athletes."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import select

from domain.models import Athlete, User
from domain.uow import Transaction


async def first_names(tx: Transaction, athlete_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Each athlete's first name, by athlete id."""
    rows = await tx.session.execute(
        select(Athlete.id, User.first_name)
        .join(User, User.id == Athlete.user_id)
        .where(Athlete.id.in_(athlete_ids))
    )
    return {athlete_id: name for athlete_id, name in rows}


async def full_names(
    tx: Transaction, athlete_ids: Collection[uuid.UUID]
) -> list[tuple[uuid.UUID, str, str | None]]:
    """(athlete id, first name, last name) of each athlete."""
    rows = await tx.session.execute(
        select(Athlete.id, User.first_name, User.last_name)
        .join(User, User.id == Athlete.user_id)
        .where(Athlete.id.in_(athlete_ids))
    )
    return [(athlete_id, first, last) for athlete_id, first, last in rows]


async def timezone_and_units(tx: Transaction, user_id: uuid.UUID) -> tuple[str | None, str | None]:
    """A user's time zone and units (None, None for no such user)."""
    row = (
        await tx.session.execute(select(User.timezone, User.units).where(User.id == user_id))
    ).first()
    return (row.timezone, row.units) if row is not None else (None, None)


async def timezones_in_use(tx: Transaction) -> Sequence[str]:
    """Every time zone some user lives in."""
    return (await tx.session.scalars(select(User.timezone).distinct())).all()

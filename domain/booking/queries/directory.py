"""The coach directory: verified, active coaches, filtered by specialization through the GIN
index on `coaches.specializations` (`@>`)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Row, func, or_, select

from domain.models import Coach, Role, User, UserStatus
from domain.uow import Transaction


def _verified() -> tuple[object, ...]:
    return (
        User.role == Role.COACH,
        User.verification_status.is_(True),
        or_(User.status.is_(None), User.status == UserStatus.ACTIVE),
    )


async def specializations_offered(tx: Transaction) -> list[tuple[str, int]]:
    """Every specialization some verified coach offers, with how many coaches, most first."""
    name = func.unnest(Coach.specializations).label("name")
    sub = select(Coach.id, name).join(User, User.id == Coach.user_id).where(*_verified()).subquery()
    rows = await tx.session.execute(
        select(sub.c.name, func.count())
        .group_by(sub.c.name)
        .order_by(func.count().desc(), sub.c.name)
    )
    return [(row[0], row[1]) for row in rows]


async def verified_coaches(
    tx: Transaction, *, specialization: str | None, offset: int, limit: int
) -> Sequence[Row[tuple[Coach, User]]]:
    """(coach, user) of verified coaches, optionally with one specialization, best rated first."""
    query = select(Coach, User).join(User, User.id == Coach.user_id).where(*_verified())
    if specialization:
        query = query.where(Coach.specializations.contains([specialization]))
    query = (
        query.order_by(Coach.rating.desc().nulls_last(), User.first_name, Coach.id)
        .offset(offset)
        .limit(limit)
    )
    return (await tx.session.execute(query)).all()


async def verified_coach(tx: Transaction, coach_id: uuid.UUID) -> Row[tuple[Coach, User]] | None:
    """(coach, user) of one coach if verified and active."""
    query = (
        select(Coach, User)
        .join(User, User.id == Coach.user_id)
        .where(Coach.id == coach_id, *_verified())
    )
    return (await tx.session.execute(query)).first()

"""Who is asking: a user and their relations, loaded once per action for domain.policy."""

from __future__ import annotations

import uuid
from collections.abc import Collection

from sqlalchemy import select

from domain.models import (
    Athlete,
    AthleteLink,
    Coach,
    Role,
    SessionParticipant,
    SessionStatus,
    TrainingSession,
    User,
)
from domain.policy import Actor
from domain.uow import Transaction, UnitOfWork


async def actor_for_user(
    tx: Transaction, user: User, *, admin_telegram_ids: Collection[int]
) -> Actor:
    """The Actor for a loaded user, inside an open unit of work."""
    session = tx.session
    own = await session.scalar(select(Athlete.id).where(Athlete.user_id == user.id))
    children = set(await session.scalars(select(Athlete.id).where(Athlete.parent_id == user.id)))
    links = (
        await session.execute(
            select(AthleteLink.athlete_id, AthleteLink.relation).where(
                AthleteLink.user_id == user.id
            )
        )
    ).all()
    coach = (await session.execute(select(Coach.id).where(Coach.user_id == user.id))).first()
    coach_id = coach[0] if coach else None
    coached: set[uuid.UUID] = set()
    if coach_id is not None:
        live = (
            TrainingSession.coach_id == coach_id,
            TrainingSession.status != SessionStatus.CANCELLED,
        )
        individual = select(TrainingSession.athlete_id).where(*live)
        in_groups = (
            select(SessionParticipant.athlete_id)
            .join(TrainingSession, TrainingSession.id == SessionParticipant.session_id)
            .where(*live)
        )
        coached = {
            athlete_id
            for athlete_id in await session.scalars(individual.union(in_groups))
            if athlete_id is not None
        }
    return Actor(
        user_id=user.id,
        role=user.role,
        is_admin=user.role == Role.ADMIN or user.telegram_user_id in admin_telegram_ids,
        coach_id=coach_id,
        own_athlete_id=own,
        guarded_athlete_ids=frozenset(children | {a for a, rel in links if rel == "guardian"}),
        mentored_athlete_ids=frozenset(a for a, rel in links if rel == "mentor"),
        coached_athlete_ids=frozenset(coached),
        is_verified_coach=coach_id is not None and bool(user.verification_status),
        status=user.status,
    )


async def actor_for_telegram(
    tx: Transaction, telegram_user_id: int, *, admin_telegram_ids: Collection[int]
) -> Actor | None:
    """The Actor behind a Telegram account, or None for someone not signed up yet."""
    user = await tx.users.by_telegram_id(telegram_user_id)
    if user is None:
        return None
    return await actor_for_user(tx, user, admin_telegram_ids=admin_telegram_ids)


async def timezone_of(uow: UnitOfWork, *, telegram_user_id: int) -> str:
    """The time zone a person's times are shown in (UTC for someone not signed up)."""
    async with uow as tx:
        zone = await tx.session.scalar(
            select(User.timezone).where(User.telegram_user_id == telegram_user_id)
        )
    return zone or "UTC"

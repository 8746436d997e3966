"""Who can be booked and what is booked: the coach directory and session lists.

The directory only lists verified, active coaches; filtering by a specialization uses the GIN
index on `coaches.specializations` (`@>`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple

from sqlalchemy import func, or_, select

from domain.booking.availability import AvailabilityRules
from domain.booking.sessions import SessionView, full_name, load_session
from domain.errors import NotFound
from domain.models import (
    Coach,
    Role,
    SessionParticipant,
    SessionStatus,
    TrainingSession,
    User,
    UserStatus,
)
from domain.policy import Actor, athletes_actor_may_act_for
from domain.timezones import zone_of
from domain.uow import Transaction, UnitOfWork

DIRECTORY_PAGE = 8
# How far ahead /schedule lists: a coach's today and week, the athletes' side's month.
COACH_DAYS = 7
ATHLETE_DAYS = 30


@dataclass(frozen=True)
class CoachCard:
    """What a booker sees of a coach before picking a time."""

    coach_id: uuid.UUID
    name: str
    specializations: tuple[str, ...]
    hourly_rate: Decimal | None
    currency: str
    bio: str
    rating: Decimal | None
    total_reviews: int
    years_experience: int | None
    timezone: str
    session_lengths: tuple[int, ...]
    session_types: tuple[str, ...]
    location: str


def _verified() -> tuple[object, ...]:
    return (
        User.role == Role.COACH,
        User.verification_status.is_(True),
        or_(User.status.is_(None), User.status == UserStatus.ACTIVE),
    )


async def specializations_offered(uow: UnitOfWork) -> list[tuple[str, int]]:
    """Every specialization some verified coach offers, with how many coaches, most first."""
    name = func.unnest(Coach.specializations).label("name")
    inner = select(Coach.id, name).join(User, User.id == Coach.user_id).where(*_verified())
    sub = inner.subquery()
    async with uow as tx:
        rows = await tx.session.execute(
            select(sub.c.name, func.count())
            .group_by(sub.c.name)
            .order_by(func.count().desc(), sub.c.name)
        )
        return [(row[0], row[1]) for row in rows]


async def verified_coaches(
    uow: UnitOfWork, *, specialization: str | None, offset: int = 0, limit: int = DIRECTORY_PAGE
) -> list[CoachCard]:
    """Verified coaches, optionally with one specialization, best rated first."""
    query = select(Coach, User).join(User, User.id == Coach.user_id).where(*_verified())
    if specialization:
        query = query.where(Coach.specializations.contains([specialization]))
    query = (
        query.order_by(Coach.rating.desc().nulls_last(), User.first_name, Coach.id)
        .offset(offset)
        .limit(limit)
    )
    async with uow as tx:
        return [_card(coach, user) for coach, user in await tx.session.execute(query)]


async def coach_card(uow: UnitOfWork, coach_id: uuid.UUID) -> CoachCard | None:
    """One verified coach's card, or None if they are not (or no longer) bookable."""
    query = (
        select(Coach, User)
        .join(User, User.id == Coach.user_id)
        .where(Coach.id == coach_id, *_verified())
    )
    async with uow as tx:
        row = (await tx.session.execute(query)).first()
        return None if row is None else _card(*row)


def _card(coach: Coach, user: User) -> CoachCard:
    rules = AvailabilityRules.from_json(coach.availability)
    return CoachCard(
        coach_id=coach.id,
        name=full_name(user),
        specializations=tuple(coach.specializations or ()),
        hourly_rate=coach.hourly_rate,
        currency=coach.currency,
        bio=coach.bio or "",
        rating=coach.rating,
        total_reviews=coach.total_reviews or 0,
        years_experience=coach.years_experience,
        timezone=rules.timezone,
        session_lengths=tuple(rules.session_lengths),
        session_types=tuple(rules.session_types),
        location=rules.location,
    )


class ScheduleSide(NamedTuple):
    """One side of a person's schedule: the sessions they coach, or their athletes' side's."""

    coach_side: bool
    sessions: list[SessionView]


async def schedule_of(
    uow: UnitOfWork, *, actor: Actor, now: datetime, timezone: str
) -> list[ScheduleSide]:
    """/schedule: a coach's today and week, the athletes' side's next 30 days, or both.

    A session on both sides (a coach who is also a parent) is listed on the coach's only.
    """
    zone = zone_of(timezone)
    sides: list[ScheduleSide] = []
    async with uow as tx:
        if actor.coach_id is not None:
            today = now.astimezone(zone).date()
            start = datetime.combine(today, time(), tzinfo=zone)
            end = datetime.combine(today + timedelta(days=COACH_DAYS), time(), tzinfo=zone)
            coached = await _coach_sessions(tx, actor=actor, start=start, end=end)
            sides.append(ScheduleSide(True, coached))
        if actor.coach_id is None or athletes_actor_may_act_for(actor):
            end = now + timedelta(days=ATHLETE_DAYS)
            family = await _athlete_sessions(tx, actor=actor, start=now, end=end)
            listed = {view.id for side in sides for view in side.sessions}
            sides.append(ScheduleSide(False, [view for view in family if view.id not in listed]))
    return sides


async def live_sessions(
    uow: UnitOfWork, *, actor: Actor, start: datetime, end: datetime
) -> list[SessionView]:
    """The live sessions starting in [start, end) the actor coaches or books for, by start."""
    async with uow as tx:
        own = await _athlete_sessions(tx, actor=actor, start=start, end=end)
        coached = await _coach_sessions(tx, actor=actor, start=start, end=end)
    live = {view.id: view for view in [*own, *coached] if view.is_live}
    return sorted(live.values(), key=lambda view: view.start)


async def _coach_sessions(
    tx: Transaction, *, actor: Actor, start: datetime, end: datetime
) -> list[SessionView]:
    """The actor's own coaching sessions starting in [start, end), cancelled ones left out."""
    if actor.coach_id is None:
        return []
    ids = await tx.session.scalars(
        select(TrainingSession.id)
        .where(
            TrainingSession.coach_id == actor.coach_id,
            TrainingSession.status != SessionStatus.CANCELLED,
            TrainingSession.start_time >= start,
            TrainingSession.start_time < end,
        )
        .order_by(TrainingSession.start_time)
    )
    return [(await load_session(tx, session_id)).view() for session_id in ids]


async def _athlete_sessions(
    tx: Transaction, *, actor: Actor, start: datetime, end: datetime
) -> list[SessionView]:
    """Sessions starting in [start, end) of every athlete the actor books for."""
    athletes = athletes_actor_may_act_for(actor)
    if not athletes:
        return []
    in_group = select(SessionParticipant.session_id).where(
        SessionParticipant.athlete_id.in_(athletes)
    )
    ids = await tx.session.scalars(
        select(TrainingSession.id)
        .where(
            or_(TrainingSession.athlete_id.in_(athletes), TrainingSession.id.in_(in_group)),
            TrainingSession.status != SessionStatus.CANCELLED,
            TrainingSession.start_time >= start,
            TrainingSession.start_time < end,
        )
        .order_by(TrainingSession.start_time)
    )
    return [(await load_session(tx, session_id)).view_for(actor) for session_id in ids]


async def session_for(uow: UnitOfWork, *, actor: Actor, session_id: uuid.UUID) -> SessionView:
    """One session the actor is a party to (coach or athletes' side); NotFound otherwise."""
    async with uow as tx:
        loaded = await load_session(tx, session_id)
        if not (loaded.is_coach(actor) or loaded.athletes_of(actor)):
            raise NotFound(f"session {session_id}")
        return loaded.view_for(actor)

"""Who can be booked and what is booked: the coach directory and session lists.

The directory only lists verified, active coaches (`domain.booking.queries.directory`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from decimal import Decimal
from typing import NamedTuple

from domain.booking.availability import AvailabilityRules
from domain.booking.queries import directory
from domain.booking.queries.sessions import athletes_session_ids, coach_session_ids
from domain.booking.sessions import SessionView, full_name, load_session
from domain.errors import NotFound
from domain.models import (
    Coach,
    User,
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
    image_key: str | None = None  # the coach's profile image in storage (issue 18)


async def specializations_offered(uow: UnitOfWork) -> list[tuple[str, int]]:
    """Every specialization some verified coach offers, with how many coaches, most first."""
    async with uow as tx:
        return await directory.specializations_offered(tx)


async def verified_coaches(
    uow: UnitOfWork, *, specialization: str | None, offset: int = 0, limit: int = DIRECTORY_PAGE
) -> list[CoachCard]:
    """Verified coaches, optionally with one specialization, best rated first."""
    async with uow as tx:
        rows = await directory.verified_coaches(
            tx, specialization=specialization, offset=offset, limit=limit
        )
        return [_card(coach, user) for coach, user in rows]


async def coach_card(uow: UnitOfWork, coach_id: uuid.UUID) -> CoachCard | None:
    """One verified coach's card, or None if they are not (or no longer) bookable."""
    async with uow as tx:
        row = await directory.verified_coach(tx, coach_id)
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
        image_key=user.profile_image_url,
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
    ids = await coach_session_ids(tx, actor.coach_id, start, end)
    return [(await load_session(tx, session_id)).view() for session_id in ids]


async def _athlete_sessions(
    tx: Transaction, *, actor: Actor, start: datetime, end: datetime
) -> list[SessionView]:
    """Sessions starting in [start, end) of every athlete the actor books for."""
    athletes = athletes_actor_may_act_for(actor)
    if not athletes:
        return []
    ids = await athletes_session_ids(tx, athletes, start, end)
    return [(await load_session(tx, session_id)).view_for(actor) for session_id in ids]


async def coach_view(
    uow: UnitOfWork, *, coach_user_id: uuid.UUID, session_id: uuid.UUID
) -> SessionView | None:
    """The session as its coach sees it, if `coach_user_id` is its coach's user; else None."""
    async with uow as tx:
        try:
            loaded = await load_session(tx, session_id)
        except NotFound:
            return None
        return loaded.view() if loaded.coach_user.id == coach_user_id else None


async def session_for(uow: UnitOfWork, *, actor: Actor, session_id: uuid.UUID) -> SessionView:
    """One session the actor is a party to (coach or athletes' side); NotFound otherwise."""
    async with uow as tx:
        loaded = await load_session(tx, session_id)
        if not (loaded.is_coach(actor) or loaded.athletes_of(actor)):
            raise NotFound(f"session {session_id}")
        return loaded.view_for(actor)

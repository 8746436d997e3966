"""Who is asking: a user and their relations, loaded in one statement for domain.policy.

The bot loads the acting user once per update (`load_actor`, from `bot.guards`); services that
act for a user they look up themselves use `actor_for_user` inside their own transaction.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from sqlalchemy import ColumnElement, Row, Select, bindparam, func, select

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


def _ids(query: Select[Any]) -> ColumnElement[Any]:
    """A correlated `(SELECT array_agg(...))` column: the ids a relation holds, NULL for none."""
    return query.scalar_subquery()


def _linked(relation: str, *only: ColumnElement[bool]) -> ColumnElement[Any]:
    return _ids(
        select(func.array_agg(AthleteLink.athlete_id)).where(
            AthleteLink.user_id == User.id, AthleteLink.relation == relation, *only
        )
    )


# A coach coaches every athlete with a live (not cancelled) booking with them, any time: their
# own individual sessions' athletes and the participants of their group sessions.
_LIVE = (TrainingSession.coach_id == Coach.id, TrainingSession.status != SessionStatus.CANCELLED)

# One row per user, every relation an Actor holds as a column: one statement, one round trip.
# Built once at import, so SQLAlchemy compiles it once and asyncpg reuses the prepared statement.
_ACTOR: Select[Any] = (
    select(
        User.id,
        User.role,
        User.status,
        User.verification_status,
        User.telegram_user_id,
        User.language_code,
        User.timezone,
        Coach.id.label("coach_id"),
        select(Athlete.id).where(Athlete.user_id == User.id).scalar_subquery().label("own"),
        _ids(select(func.array_agg(Athlete.id)).where(Athlete.parent_id == User.id)).label(
            "children"
        ),
        _linked("guardian").label("guarded"),
        _linked("mentor").label("mentored"),
        _linked("mentor", AthleteLink.video_consent.is_(True)).label("mentored_with_videos"),
        _ids(
            select(func.array_agg(TrainingSession.athlete_id.distinct())).where(
                *_LIVE, TrainingSession.athlete_id.is_not(None)
            )
        ).label("coached_alone"),
        _ids(
            select(func.array_agg(SessionParticipant.athlete_id.distinct()))
            .join(TrainingSession, TrainingSession.id == SessionParticipant.session_id)
            .where(*_LIVE)
        ).label("coached_in_groups"),
    )
    .select_from(User)
    .outerjoin(Coach, Coach.user_id == User.id)
)
_BY_TELEGRAM = _ACTOR.where(User.telegram_user_id == bindparam("telegram_user_id"))
_BY_USER = _ACTOR.where(User.id == bindparam("user_id"))


async def load_actor(
    uow: UnitOfWork, *, telegram_user_id: int, admin_telegram_ids: Collection[int]
) -> Actor | None:
    """The acting user behind a Telegram account, in one statement; None before sign-up."""
    async with uow as tx:
        # One statement reads a consistent snapshot on its own, so it runs outside a transaction
        # (autocommit): every update is spared a BEGIN and a ROLLBACK round trip.
        connection = await tx.session.connection(
            execution_options={"isolation_level": "AUTOCOMMIT"}
        )
        found = await connection.execute(_BY_TELEGRAM, {"telegram_user_id": telegram_user_id})
        row = found.one_or_none()
    return None if row is None else _actor(row, admin_telegram_ids)


async def actor_for_telegram(
    tx: Transaction, telegram_user_id: int, *, admin_telegram_ids: Collection[int]
) -> Actor | None:
    """The Actor behind a Telegram account, or None for someone not signed up yet."""
    found = await tx.session.execute(_BY_TELEGRAM, {"telegram_user_id": telegram_user_id})
    row = found.one_or_none()
    return None if row is None else _actor(row, admin_telegram_ids)


async def actor_for_user(
    tx: Transaction, user: User, *, admin_telegram_ids: Collection[int]
) -> Actor:
    """The Actor for a user already written (flushed) in this transaction."""
    row = (await tx.session.execute(_BY_USER, {"user_id": user.id})).one()
    return _actor(row, admin_telegram_ids)


def _actor(row: Row[Any], admin_telegram_ids: Collection[int]) -> Actor:
    coached = {*(row.coached_alone or ()), *(row.coached_in_groups or ())}
    return Actor(
        user_id=row.id,
        role=row.role,
        is_admin=row.role == Role.ADMIN or row.telegram_user_id in admin_telegram_ids,
        coach_id=row.coach_id,
        own_athlete_id=row.own,
        guarded_athlete_ids=frozenset({*(row.children or ()), *(row.guarded or ())}),
        mentored_athlete_ids=frozenset(row.mentored or ()),
        video_mentored_athlete_ids=frozenset(row.mentored_with_videos or ()),
        coached_athlete_ids=frozenset(coached),
        is_verified_coach=row.coach_id is not None and bool(row.verification_status),
        status=row.status,
        language=row.language_code,
        timezone=row.timezone or "UTC",
    )

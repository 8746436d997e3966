"""Who is asking: a user and their relations, loaded in one statement for domain.policy.

The bot loads the acting user once per update (`load_actor`, from `bot.guards`); services that
act for a user they look up themselves use `actor_for_user` inside their own transaction.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Row

from domain.driver import KeyedRead
from domain.models import User
from domain.policy import Actor
from domain.repositories.actors import BY_TELEGRAM
from domain.uow import Transaction, UnitOfWork

# Every update pays for this statement: on asyncpg itself it costs about half of SQLAlchemy's
# Python (the ORM session's execute, its result and row processing), and the updates arriving
# together share one.
_BY_TELEGRAM = KeyedRead(BY_TELEGRAM, key="telegram_user_id", keys="telegram_user_ids")


async def load_actor(uow: UnitOfWork, *, telegram_user_id: int) -> Actor | None:
    """The acting user behind a Telegram account, in one statement; None before sign-up."""
    row = await _BY_TELEGRAM.one(uow, telegram_user_id)
    return _actor(row) if row is not None else None


async def actor_for_user(tx: Transaction, user: User) -> Actor:
    """The Actor for a user already written (flushed) in this transaction."""
    row = await tx.actors.by_user_id(user.id)
    return _actor(row)


def _actor(row: Row[Any]) -> Actor:
    coached = {*(row.coached_alone or ()), *(row.coached_in_groups or ())}
    return Actor(
        user_id=row.id,
        role=row.role,
        is_admin=bool(row.is_admin),  # a row of `admins`, the one truth (issue 18)
        coach_id=row.coach_id,
        own_athlete_id=row.own,
        guarded_athlete_ids=frozenset({*(row.children or ()), *(row.guarded or ())}),
        mentored_athlete_ids=frozenset(row.mentored or ()),
        video_mentored_athlete_ids=frozenset(row.mentored_with_videos or ()),
        coached_athlete_ids=frozenset(coached),
        videos_withheld_athlete_ids=frozenset(row.videos_withheld or ()),
        is_verified_coach=row.coach_id is not None and bool(row.verification_status),
        status=row.status,
        language=row.language_code,
        timezone=row.timezone or "UTC",
    )

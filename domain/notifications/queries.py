"""Every SQL statement of the notifications capability: claiming and marking outbox rows, the
sessions reminders are planned for, and what coaches' digests list."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import ColumnElement, Row, exists, func, select, tuple_, union_all, update

from domain.booking.notices import COACH_FOLLOWUP
from domain.models import (
    Athlete,
    Coach,
    Notification,
    SessionParticipant,
    SessionStatus,
    TrainingSession,
    User,
)
from domain.uow import Transaction


async def claim_due(tx: Transaction, now: datetime, *, limit: int = 100) -> Sequence[Notification]:
    """Lock unsent notifications that are due; other senders skip the locked rows."""
    query = (
        select(Notification)
        .where(Notification.sent_at.is_(None), Notification.due_at <= now)
        .order_by(Notification.due_at)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return (await tx.session.execute(query)).scalars().all()


async def mark_sent(tx: Transaction, notification_id: uuid.UUID, at: datetime) -> None:
    """Record a successful delivery."""
    await tx.session.execute(
        update(Notification)
        .where(Notification.id == notification_id)
        .values(sent_at=at, attempts=Notification.attempts + 1, last_error=None)
    )


async def mark_failed(
    tx: Transaction, notification_id: uuid.UUID, error: str, retry_at: datetime
) -> None:
    """Record a failed attempt and when to try again."""
    await tx.session.execute(
        update(Notification)
        .where(Notification.id == notification_id)
        .values(attempts=Notification.attempts + 1, last_error=error[:2000], due_at=retry_at)
    )


async def sessions_to_remind(
    tx: Transaction,
    *,
    now: datetime,
    until: datetime,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[tuple[uuid.UUID, datetime]]:
    """Ids (and starts) of scheduled sessions in (now, until] whose current version has no plan
    yet, after `after` in (start, id) order, share-locked; rows being changed are skipped.

    A version of a session counts as planned when its coach's follow-up is queued: every plan
    of a scheduled session queues it, in the same statement as the rest.

    The lock is what keeps a plan from racing a change: a reschedule or cancellation holds the
    row FOR UPDATE, drops the unsent reminders and plans its own, so a planner that read the
    row before it committed would queue reminders for a version that no longer exists. Rows
    being changed are skipped instead; the change plans (or drops) their reminders itself.
    """
    query = (
        select(TrainingSession.id, TrainingSession.start_time)
        .join(Coach, Coach.id == TrainingSession.coach_id)
        .where(
            TrainingSession.status == SessionStatus.SCHEDULED,
            TrainingSession.start_time > now,
            TrainingSession.start_time <= until,
            Coach.user_id.is_not(None),  # no one to remind on the coach's side, nothing to load
            ~exists().where(Notification.dedup_key == _coach_followup_key()),
        )
        .order_by(TrainingSession.start_time, TrainingSession.id)
        .limit(limit)
        .with_for_update(read=True, skip_locked=True, of=TrainingSession)
    )
    if after is not None:
        query = query.where(tuple_(TrainingSession.start_time, TrainingSession.id) > after)
    return [(row.id, row.start_time) for row in await tx.session.execute(query)]


def _coach_followup_key() -> ColumnElement[str]:
    """The dedup key `plan_reminders` gives the coach's follow-up (see domain.booking.notices)."""
    return func.concat(
        f"{COACH_FOLLOWUP}:", TrainingSession.id, ":", Coach.user_id, ":", TrainingSession.sequence
    )


async def coach_timezones(tx: Transaction) -> Sequence[str]:
    """Every time zone some coach lives in."""
    query = select(User.timezone).join(Coach, Coach.user_id == User.id).distinct()
    return (await tx.session.scalars(query)).all()


async def scheduled_sessions_of_coaches_in(
    tx: Transaction, timezone: str, start: datetime, end: datetime
) -> Sequence[Row[tuple[TrainingSession, uuid.UUID]]]:
    """(session, coach's user id) of the scheduled sessions starting in [start, end) of the
    coaches living in `timezone`, by coach then start."""
    query = (
        select(TrainingSession, User.id)
        .join(Coach, Coach.id == TrainingSession.coach_id)
        .join(User, User.id == Coach.user_id)
        .where(
            User.timezone == timezone,
            TrainingSession.status == SessionStatus.SCHEDULED,
            TrainingSession.start_time >= start,
            TrainingSession.start_time < end,
        )
        .order_by(User.id, TrainingSession.start_time)
    )
    return (await tx.session.execute(query)).all()


async def athlete_first_names(
    tx: Transaction, session_ids: list[uuid.UUID]
) -> Sequence[Row[tuple[uuid.UUID, str]]]:
    """(session id, first name) of each session's athletes: an individual one's, a group's."""
    individual = (
        select(TrainingSession.id.label("session_id"), User.first_name)
        .join(Athlete, Athlete.id == TrainingSession.athlete_id)
        .join(User, User.id == Athlete.user_id)
        .where(TrainingSession.id.in_(session_ids))
    )
    grouped = (
        select(SessionParticipant.session_id, User.first_name)
        .join(Athlete, Athlete.id == SessionParticipant.athlete_id)
        .join(User, User.id == Athlete.user_id)
        .where(SessionParticipant.session_id.in_(session_ids))
    )
    return (await tx.session.execute(union_all(individual, grouped))).all()


async def backlog(tx: Transaction, now: datetime) -> tuple[int, datetime | None]:
    """How many unsent notifications are due, and the oldest one's due time."""
    query = select(func.count(), func.min(Notification.due_at)).where(
        Notification.sent_at.is_(None), Notification.due_at <= now
    )
    count, oldest = (await tx.session.execute(query)).one()
    return count, oldest

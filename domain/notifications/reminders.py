"""The safety net for session reminders: plan them again for every session starting soon."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, exists, func, select, tuple_

from domain.booking.notices import COACH_FOLLOWUP, plan_reminders
from domain.booking.sessions import load_session
from domain.models import Coach, Notification, SessionStatus, TrainingSession
from domain.uow import Transaction, UnitOfWork

# A little more than the longest lead (24 h), so a run that comes late misses nothing.
PLAN_AHEAD = timedelta(hours=25)
BATCH_SIZE = 500


async def plan_upcoming(
    uow: UnitOfWork,
    *,
    now: datetime,
    ahead: timedelta = PLAN_AHEAD,
    limit: int = BATCH_SIZE,
) -> int:
    """Plan the reminders of every scheduled session starting in (now, now + ahead]; new rows.

    The booking transaction already plans a session's reminders when it becomes scheduled
    (`domain.booking.notices.plan_reminders`, on accept, auto-accept and reschedule). This plans
    them again shortly ahead, so a session that became scheduled some other way (an admin, a
    script, a future flow that forgot) or whose planning was lost still gets reminded.
    Planning is idempotent: each reminder's dedup key names the session's SEQUENCE, so planning
    a session twice inserts nothing the second time. To keep runs cheap, sessions whose current
    version was planned already are not even loaded. One transaction per batch of `limit`.
    """
    queued = 0
    after: tuple[datetime, uuid.UUID] | None = None
    while True:
        async with uow as tx:
            batch = await _next_batch(tx, now=now, until=now + ahead, after=after, limit=limit)
            for session_id, _ in batch:
                queued += await plan_reminders(tx, await load_session(tx, session_id), now=now)
            await tx.commit()
        if len(batch) < limit:
            return queued
        last_id, last_start = batch[-1]
        after = (last_start, last_id)


async def _next_batch(
    tx: Transaction,
    *,
    now: datetime,
    until: datetime,
    after: tuple[datetime, uuid.UUID] | None,
    limit: int,
) -> list[tuple[uuid.UUID, datetime]]:
    """Ids (and starts) of the next sessions to plan, in (start, id) order, share-locked.

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

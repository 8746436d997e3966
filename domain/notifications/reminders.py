"""The safety net for session reminders: plan them again for every session starting soon."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from domain.booking.notices import plan_reminders
from domain.booking.sessions import load_session
from domain.notifications import queries
from domain.uow import UnitOfWork

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
            batch = await queries.sessions_to_remind(
                tx, now=now, until=now + ahead, after=after, limit=limit
            )
            for session_id, _ in batch:
                queued += await plan_reminders(tx, await load_session(tx, session_id), now=now)
            await tx.commit()
        if len(batch) < limit:
            return queued
        last_id, last_start = batch[-1]
        after = (last_start, last_id)

"""The SQL of waitlists: places in line, offers of a freed place, and the seat an offer takes."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, func, select, text, update
from sqlalchemy.orm import aliased

from domain.models import (
    Athlete,
    Coach,
    SessionStatus,
    TrainingSession,
    User,
    WaitlistEntry,
    WaitlistStatus,
)
from domain.models.waitlists import IN_LINE
from domain.uow import Transaction

LIVE = (SessionStatus.REQUESTED, SessionStatus.SCHEDULED)


async def entry(
    tx: Transaction, entry_id: uuid.UUID, *, lock: bool = False
) -> WaitlistEntry | None:
    """A place in line (locked until the action commits, with `lock`)."""
    query = select(WaitlistEntry).where(WaitlistEntry.id == entry_id)
    return await tx.session.scalar(query.with_for_update() if lock else query)


async def in_line(
    tx: Transaction, session_id: uuid.UUID, athlete_id: uuid.UUID
) -> WaitlistEntry | None:
    """The athlete's place in line for the session, if they are in it."""
    return await tx.session.scalar(
        select(WaitlistEntry).where(
            WaitlistEntry.session_id == session_id,
            WaitlistEntry.athlete_id == athlete_id,
            WaitlistEntry.status.in_(IN_LINE),
        )
    )


async def position(tx: Transaction, place: WaitlistEntry) -> int:
    """1 for the first in line: how many of the session's line joined before, plus one."""
    ahead = await tx.session.scalar(
        select(func.count()).where(
            WaitlistEntry.session_id == place.session_id,
            WaitlistEntry.status.in_(IN_LINE),
            WaitlistEntry.line < place.line,
        )
    )
    return int(ahead or 0) + 1


async def take_offered_place(tx: Transaction, session_id: uuid.UUID, now: datetime) -> bool:
    """Count one more participant for an accepted offer, unless the session is full (or off,
    or begun); whether the place was taken."""
    # The row lock this UPDATE takes queues concurrent accepts; each re-reads the count after
    # the one before it committed, so only as many win as there are places. The check
    # constraint (participant_count <= capacity) is the last word should anything else write.
    taken = await tx.session.scalar(
        update(TrainingSession)
        .where(
            TrainingSession.id == session_id,
            TrainingSession.participant_count < TrainingSession.capacity,
            TrainingSession.status.in_(LIVE),
            TrainingSession.start_time > now,
        )
        .values(participant_count=TrainingSession.participant_count + 1)
        .returning(TrainingSession.id)
    )
    return taken is not None


async def resolve(
    tx: Transaction, place: WaitlistEntry, status: WaitlistStatus, now: datetime
) -> None:
    """Close a place in line with this outcome (accepted, declined, left, expired)."""
    place.status = status
    place.resolved_at = now
    await tx.flush()


async def back_in_line(tx: Transaction, place: WaitlistEntry) -> None:
    """An offer that found no place: waiting again, where they stood."""
    place.status = WaitlistStatus.WAITING
    place.offered_at = place.offer_expires_at = None
    await tx.flush()


async def family_lines(
    tx: Transaction, athlete_ids: Sequence[uuid.UUID], now: datetime
) -> Sequence[Row[Any]]:
    """The places in line of these athletes for sessions ahead: (entry id, status, offer
    deadline, first name, position, start, coach's first name), soonest first."""
    place, coach_user = aliased(WaitlistEntry), aliased(User)
    ahead = (
        select(func.count())
        .where(
            WaitlistEntry.session_id == place.session_id,
            WaitlistEntry.status.in_(IN_LINE),
            WaitlistEntry.line < place.line,
        )
        .scalar_subquery()
    )
    return (
        await tx.session.execute(
            select(
                place.id,
                place.status,
                place.offer_expires_at,
                User.first_name,
                ahead + 1,
                TrainingSession.start_time,
                coach_user.first_name,
            )
            .join(Athlete, Athlete.id == place.athlete_id)
            .join(User, User.id == Athlete.user_id)
            .join(TrainingSession, TrainingSession.id == place.session_id)
            .join(Coach, Coach.id == TrainingSession.coach_id)
            .join(coach_user, coach_user.id == Coach.user_id)
            .where(
                place.athlete_id.in_(athlete_ids),
                place.status.in_(IN_LINE),
                TrainingSession.start_time > now,
            )
            .order_by(TrainingSession.start_time, place.line)
        )
    ).all()


async def coach_lines(tx: Transaction, coach_id: uuid.UUID, now: datetime) -> Sequence[Row[Any]]:
    """The lines of the coach's sessions ahead: (session id, start, athlete's first name,
    status, offer deadline), each session's line in order."""
    return (
        await tx.session.execute(
            select(
                TrainingSession.id,
                TrainingSession.start_time,
                User.first_name,
                WaitlistEntry.status,
                WaitlistEntry.offer_expires_at,
            )
            .join(WaitlistEntry, WaitlistEntry.session_id == TrainingSession.id)
            .join(Athlete, Athlete.id == WaitlistEntry.athlete_id)
            .join(User, User.id == Athlete.user_id)
            .where(
                TrainingSession.coach_id == coach_id,
                TrainingSession.start_time > now,
                WaitlistEntry.status.in_(IN_LINE),
            )
            .order_by(TrainingSession.start_time, TrainingSession.id, WaitlistEntry.line)
        )
    ).all()


async def close_lines(tx: Transaction, now: datetime) -> list[tuple[uuid.UUID, uuid.UUID, bool]]:
    """Close the places in line of sessions called off or begun (nothing left to offer): each
    place's (session, athlete, whether the session was called off)."""
    result = await tx.session.execute(_CLOSE_LINES, {"now": now})
    return [(row[0], row[1], row[2]) for row in result]


_CLOSE_LINES = text(
    """
UPDATE session_waitlist w SET status = 'closed', resolved_at = :now
FROM training_sessions s
WHERE s.id = w.session_id AND w.status IN ('waiting', 'offered')
  AND (s.status NOT IN ('requested', 'scheduled') OR s.start_time <= :now)
RETURNING w.session_id, w.athlete_id, s.status = 'cancelled'
"""
)


async def expire_offers(tx: Transaction, now: datetime) -> int:
    """Offers whose deadline passed, expired (their place goes to the next in line)."""
    result = await tx.session.execute(
        update(WaitlistEntry)
        .where(
            WaitlistEntry.status == WaitlistStatus.OFFERED,
            WaitlistEntry.offer_expires_at <= now,
        )
        .values(status=WaitlistStatus.EXPIRED, resolved_at=now)
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


# Every session with a place free beyond the offers standing, and someone waiting: its first
# in line, as many as there are such places. Rows another action holds (a leave or an accept
# under way) are skipped: the next run sees them settled.
_NEXT_IN_LINE = text(
    """
WITH free AS (
    SELECT s.id, s.start_time,
           s.capacity - s.participant_count
             - (SELECT count(*) FROM session_waitlist o
                WHERE o.session_id = s.id AND o.status = 'offered') AS places
    FROM training_sessions s
    WHERE s.status IN ('requested', 'scheduled') AND s.start_time > :starts_after
      AND EXISTS (SELECT 1 FROM session_waitlist w
                  WHERE w.session_id = s.id AND w.status = 'waiting')
), ranked AS (
    SELECT w.id, row_number() OVER (PARTITION BY w.session_id ORDER BY w.line) AS n, f.places
    FROM session_waitlist w JOIN free f ON f.id = w.session_id
    WHERE w.status = 'waiting' AND f.places > 0
)
SELECT w.id, w.session_id, w.athlete_id, s.start_time
FROM session_waitlist w JOIN ranked r ON r.id = w.id JOIN training_sessions s ON s.id = w.session_id
WHERE r.n <= r.places
ORDER BY s.start_time, w.line
FOR UPDATE OF w SKIP LOCKED
"""
)


async def next_in_line(tx: Transaction, *, starts_after: datetime) -> Sequence[Row[Any]]:
    """The first in line of every session starting after `starts_after` with places free
    beyond its standing offers, one per place, locked: (entry, session, athlete, start)."""
    return (await tx.session.execute(_NEXT_IN_LINE, {"starts_after": starts_after})).all()


async def make_offer(
    tx: Transaction, entry_id: uuid.UUID, *, now: datetime, until: datetime
) -> None:
    """Offer the place to this one in line, until the deadline."""
    await tx.session.execute(
        update(WaitlistEntry)
        .where(WaitlistEntry.id == entry_id)
        .values(status=WaitlistStatus.OFFERED, offered_at=now, offer_expires_at=until)
    )


async def first_name(tx: Transaction, athlete_id: uuid.UUID) -> str:
    """The athlete's first name ('' when unknown)."""
    name = await tx.session.scalar(
        select(User.first_name)
        .join(Athlete, Athlete.user_id == User.id)
        .where(Athlete.id == athlete_id)
    )
    return name or ""

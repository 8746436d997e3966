"""The SQL of series, RSVPs and attendance (the one place `domain.clubs.series` builds it)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Row, select, text, update
from sqlalchemy.dialects.postgresql import insert

from domain.models import (
    Athlete,
    NotificationKind,
    SessionAttendance,
    SessionRsvp,
    SessionSeries,
    SessionStatus,
    TrainingSession,
    User,
)
from domain.uow import Transaction

LIVE = (SessionStatus.REQUESTED.value, SessionStatus.SCHEDULED.value)

# Every occurrence in one statement: the expansion is one round trip however long the season,
# and the no-overlap constraint judges them all at once against the coach's other sessions.
_INSERT_OCCURRENCES = text(
    """
INSERT INTO training_sessions (id, coach_id, athlete_id, session_type, status, start_time,
    end_time, location, payment_status, booked_by, capacity, participant_count, sequence,
    series_id, created_at, updated_at)
SELECT gen_random_uuid(), :coach, :athlete, :session_type, 'scheduled', o.s, o.e,
       CAST(:location AS jsonb), 'not_required', :booked_by, :capacity, :participants, 0,
       :series, now(), now()
FROM unnest(CAST(:starts AS timestamptz[]), CAST(:ends AS timestamptz[])) AS o(s, e)
RETURNING id
"""
)


# A new series and its whole season in one statement (the series' row first, in a CTE).
_INSERT_SERIES = text(
    """
WITH s AS (
    INSERT INTO session_series (id, coach_id, team_id, athlete_id, title, weekdays, local_time,
        timezone, length_minutes, capacity, location, season_start, season_end, holidays,
        rsvp_lead_hours, rsvp_reminder_hours, rsvp_deadline_hours, created_by, created_at,
        updated_at)
    VALUES (:series, :coach, :team, :athlete, :title, CAST(:weekdays AS smallint[]), :local_time,
        :timezone, :length, :series_capacity, CAST(:location AS jsonb), :season_start,
        :season_end, CAST(:holidays AS date[]), :lead, :remind, :close, :booked_by, now(), now())
    RETURNING id
)
INSERT INTO training_sessions (id, coach_id, athlete_id, session_type, status, start_time,
    end_time, location, payment_status, booked_by, capacity, participant_count, sequence,
    series_id, created_at, updated_at)
SELECT gen_random_uuid(), :coach, :athlete, :session_type, 'scheduled', o.s, o.e,
       CAST(:location AS jsonb), 'not_required', :booked_by, :capacity, :participants, 0,
       s.id, now(), now()
FROM s CROSS JOIN unnest(CAST(:starts AS timestamptz[]), CAST(:ends AS timestamptz[])) AS o(s, e)
RETURNING id
"""
)


async def insert_series(
    tx: Transaction,
    series: SessionSeries,
    times: Sequence[tuple[datetime, datetime]],
    *,
    session_type: str,
    participants: int,
) -> list[uuid.UUID]:
    """Write a new series and its occurrences (SlotTaken when the coach is busy at one)."""
    result = await tx.session.execute(
        _INSERT_SERIES,
        {
            **_occurrence_values(series, times, participants),
            "session_type": session_type,
            "team": series.team_id,
            "title": series.title,
            "weekdays": list(series.weekdays),
            "local_time": series.local_time,
            "timezone": series.timezone,
            "length": series.length_minutes,
            "series_capacity": series.capacity,
            "season_start": series.season_start,
            "season_end": series.season_end,
            "holidays": list(series.holidays),
            "lead": series.rsvp_lead_hours,
            "remind": series.rsvp_reminder_hours,
            "close": series.rsvp_deadline_hours,
        },
    )
    return list(result.scalars())


def _occurrence_values(
    series: SessionSeries, times: Sequence[tuple[datetime, datetime]], participants: int
) -> dict[str, Any]:
    return {
        "coach": series.coach_id,
        "athlete": series.athlete_id,
        "location": json.dumps(series.location) if series.location else None,
        "booked_by": series.created_by,
        "capacity": max(series.capacity, participants, 1),
        "participants": participants,
        "series": series.id,
        "starts": [start for start, _ in times],
        "ends": [end for _, end in times],
    }


async def series_names(
    tx: Transaction, coach_id: uuid.UUID, athlete_id: uuid.UUID | None
) -> tuple[str, str | None, str] | None:
    """The coach's first name and zone (availability's, else their own) and the athlete's
    first name, in one statement."""
    row = (
        await tx.session.execute(
            text(
                """
SELECT cu.first_name, COALESCE(c.availability->>'timezone', cu.timezone),
       COALESCE((SELECT u.first_name FROM athletes a JOIN users u ON u.id = a.user_id
                 WHERE a.id = :athlete), '')
FROM coaches c JOIN users cu ON cu.id = c.user_id WHERE c.id = :coach
"""
            ),
            {"coach": coach_id, "athlete": athlete_id},
        )
    ).first()
    return (row[0], row[1], row[2]) if row else None


async def insert_occurrences(
    tx: Transaction,
    series: SessionSeries,
    times: Sequence[tuple[datetime, datetime]],
    *,
    session_type: str,
    participants: int,
) -> list[uuid.UUID]:
    """Write the occurrences (SlotTaken, naming the clash, when the coach is busy then)."""
    if not times:
        return []
    result = await tx.session.execute(
        _INSERT_OCCURRENCES,
        {**_occurrence_values(series, times, participants), "session_type": session_type},
    )
    return list(result.scalars())


async def series_of_coach(tx: Transaction, coach_id: uuid.UUID) -> Sequence[SessionSeries]:
    """The coach's series, newest season first."""
    return (
        await tx.session.scalars(
            select(SessionSeries)
            .where(SessionSeries.coach_id == coach_id)
            .order_by(SessionSeries.season_start.desc(), SessionSeries.title)
        )
    ).all()


async def series_of_team(tx: Transaction, team_id: uuid.UUID) -> Sequence[SessionSeries]:
    """A team's series, newest season first."""
    return (
        await tx.session.scalars(
            select(SessionSeries)
            .where(SessionSeries.team_id == team_id)
            .order_by(SessionSeries.season_start.desc(), SessionSeries.created_at)
        )
    ).all()


async def occurrence(tx: Transaction, session_id: uuid.UUID) -> TrainingSession | None:
    """An occurrence of some series, locked for the change about to be made."""
    return await tx.session.scalar(
        select(TrainingSession)
        .where(TrainingSession.id == session_id, TrainingSession.series_id.is_not(None))
        .with_for_update()
    )


async def occurrences_from(
    tx: Transaction, series_id: uuid.UUID, since: datetime, *, limit: int | None = None
) -> Sequence[TrainingSession]:
    """The series' occurrences starting from `since`, cancelled ones included, in order."""
    query = (
        select(TrainingSession)
        .where(TrainingSession.series_id == series_id, TrainingSession.start_time >= since)
        .order_by(TrainingSession.start_time)
    )
    return (await tx.session.scalars(query.limit(limit) if limit else query)).all()


async def cancel_occurrences(
    tx: Transaction, ids: Sequence[uuid.UUID], *, by: uuid.UUID, reason: str, now: datetime
) -> None:
    """Call these occurrences off (their time is free again), raising their calendar sequence."""
    await tx.session.execute(
        update(TrainingSession)
        .where(TrainingSession.id.in_(ids))
        .values(
            status=SessionStatus.CANCELLED,
            cancelled_at=now,
            cancelled_by=by,
            cancel_reason=reason,
            sequence=TrainingSession.sequence + 1,
        )
    )


async def move_occurrence(
    tx: Transaction, session_id: uuid.UUID, start: datetime, end: datetime
) -> None:
    """Move one occurrence (SlotTaken when the coach is busy then)."""
    await tx.session.execute(
        update(TrainingSession)
        .where(TrainingSession.id == session_id)
        .values(start_time=start, end_time=end, sequence=TrainingSession.sequence + 1)
    )


async def drop_unsent(tx: Transaction, session_ids: Sequence[uuid.UUID]) -> None:
    """Drop what is queued and unsent about these occurrences (reminders, RSVP requests)."""
    await tx.session.execute(
        text(
            "DELETE FROM notifications WHERE sent_at IS NULL"
            " AND payload->>'session_id' = ANY(CAST(:ids AS text[]))"
        ),
        {"ids": [str(i) for i in session_ids]},
    )


async def add_participants(
    tx: Transaction,
    session_ids: Sequence[uuid.UUID],
    athlete_ids: Sequence[uuid.UUID],
    by: uuid.UUID | None,
) -> None:
    """Put these athletes into each of these (group) occurrences, in one statement."""
    if not session_ids or not athlete_ids:
        return
    await tx.session.execute(
        text(
            "INSERT INTO session_participants (id, session_id, athlete_id, booked_by, created_at)"
            " SELECT gen_random_uuid(), s, a, :by, now()"
            " FROM unnest(CAST(:sessions AS uuid[])) s"
            " CROSS JOIN unnest(CAST(:athletes AS uuid[])) a"
        ),
        {"sessions": list(session_ids), "athletes": list(athlete_ids), "by": by},
    )


async def join_future_occurrences(
    tx: Transaction, team_id: uuid.UUID, athlete_id: uuid.UUID, by: uuid.UUID, now: datetime
) -> int:
    """Put a new member into the team's live occurrences still ahead (a place made for them:
    the roster is who a practice is for); how many."""
    result = await tx.session.execute(
        text(
            """
WITH ahead AS (
    SELECT s.id FROM training_sessions s JOIN session_series ser ON ser.id = s.series_id
    WHERE ser.team_id = :team AND s.start_time > :now AND s.status IN ('requested', 'scheduled')
), joined AS (
    INSERT INTO session_participants (id, session_id, athlete_id, booked_by, created_at)
    SELECT gen_random_uuid(), ahead.id, :athlete, :by, now() FROM ahead
    ON CONFLICT (session_id, athlete_id) DO NOTHING
    RETURNING session_id
)
UPDATE training_sessions t
SET participant_count = t.participant_count + 1,
    capacity = GREATEST(t.capacity, t.participant_count + 1)
FROM joined WHERE t.id = joined.session_id
"""
        ),
        {"team": team_id, "athlete": athlete_id, "by": by, "now": now},
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


async def leave_future_occurrences(
    tx: Transaction, team_id: uuid.UUID, athlete_id: uuid.UUID, now: datetime
) -> int:
    """Take a leaving member out of the team's occurrences still ahead; how many."""
    result = await tx.session.execute(
        text(
            """
WITH left_ AS (
    DELETE FROM session_participants p
    USING training_sessions s, session_series ser
    WHERE p.session_id = s.id AND ser.id = s.series_id AND ser.team_id = :team
      AND p.athlete_id = :athlete AND s.start_time > :now
    RETURNING p.session_id
)
UPDATE training_sessions t SET participant_count = t.participant_count - 1
FROM left_ WHERE t.id = left_.session_id
"""
        ),
        {"team": team_id, "athlete": athlete_id, "now": now},
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


async def occurrence_athletes(tx: Transaction, session_id: uuid.UUID) -> Sequence[Row[Any]]:
    """Who an occurrence is for: (athlete id, first name), by name."""
    return (
        await tx.session.execute(
            text(
                """
SELECT a.id, u.first_name FROM training_sessions s
JOIN athletes a ON a.id = s.athlete_id JOIN users u ON u.id = a.user_id
WHERE s.id = :session
UNION
SELECT a.id, u.first_name FROM session_participants p
JOIN athletes a ON a.id = p.athlete_id JOIN users u ON u.id = a.user_id
WHERE p.session_id = :session
ORDER BY 2, 1
"""
            ),
            {"session": session_id},
        )
    ).all()


async def series_athletes_of(tx: Transaction, session_id: uuid.UUID) -> list[uuid.UUID]:
    """The athletes one occurrence is for."""
    return [row[0] for row in await occurrence_athletes(tx, session_id)]


async def series_athletes(tx: Transaction, series_id: uuid.UUID) -> list[uuid.UUID]:
    """Every athlete any occurrence of the series is for."""
    rows = await tx.session.execute(
        text(
            """
SELECT s.athlete_id FROM training_sessions s
WHERE s.series_id = :series AND s.athlete_id IS NOT NULL
UNION
SELECT p.athlete_id FROM training_sessions s JOIN session_participants p ON p.session_id = s.id
WHERE s.series_id = :series
"""
        ),
        {"series": series_id},
    )
    return list(rows.scalars())


async def family_ids(tx: Transaction, athlete_ids: Sequence[uuid.UUID]) -> Sequence[Row[Any]]:
    """(athlete id, first name, recipient id) for each athlete's side on Telegram."""
    return (
        await tx.session.execute(
            text(_FAMILIES + "SELECT athlete_id, first_name, recipient FROM families"),
            {"athletes": list(athlete_ids)},
        )
    ).all()


_FAMILIES = """
WITH kids AS (
    SELECT a.id, a.user_id, a.parent_id, u.first_name, u.telegram_chat_id FROM athletes a
    JOIN users u ON u.id = a.user_id WHERE a.id = ANY(CAST(:athletes AS uuid[]))
), families AS (
    SELECT id AS athlete_id, first_name, user_id AS recipient FROM kids
    WHERE telegram_chat_id IS NOT NULL
    UNION
    SELECT id, first_name, parent_id FROM kids WHERE parent_id IS NOT NULL
    UNION
    SELECT k.id, k.first_name, l.user_id FROM kids k
    JOIN athlete_links l ON l.athlete_id = k.id AND l.relation = 'guardian'
)
"""

# Asked before each occurrence (or reminded, when unanswered), in one statement for every
# series: the athletes of each live occurrence whose window has come and whose answers are
# still open, each to their side's people. The dedup key carries the session's sequence, so a
# moved occurrence asks again and nothing else is ever queued twice, however many run it.
_QUEUE_RSVPS = """
WITH occ AS (
    SELECT s.id, s.start_time, s.sequence, s.athlete_id, ser.title,
           s.start_time - make_interval(hours => ser.rsvp_deadline_hours) AS closes_at,
           s.start_time - make_interval(hours => {hours}) AS due_at
    FROM training_sessions s JOIN session_series ser ON ser.id = s.series_id
    WHERE s.start_time > CAST(:now AS timestamptz)
      AND s.start_time <= CAST(:now AS timestamptz) + CAST(:horizon AS interval)
      AND s.status IN ('requested', 'scheduled')
      AND s.start_time - make_interval(hours => {hours}) <= CAST(:now AS timestamptz)
      AND s.start_time - make_interval(hours => ser.rsvp_deadline_hours) > CAST(:now AS timestamptz)
), occ_athletes AS (
    SELECT occ.*, occ.athlete_id AS athlete FROM occ WHERE occ.athlete_id IS NOT NULL
    UNION ALL
    SELECT occ.*, p.athlete_id FROM occ JOIN session_participants p ON p.session_id = occ.id
), open AS (
    SELECT oa.* FROM occ_athletes oa
    WHERE {unanswered}
), families AS (
    SELECT o.*, u.first_name, u.id AS recipient FROM open o
    JOIN athletes a ON a.id = o.athlete JOIN users u ON u.id = a.user_id
    WHERE u.telegram_chat_id IS NOT NULL
    UNION
    SELECT o.*, u.first_name, a.parent_id FROM open o
    JOIN athletes a ON a.id = o.athlete JOIN users u ON u.id = a.user_id
    WHERE a.parent_id IS NOT NULL
    UNION
    SELECT o.*, u.first_name, l.user_id FROM open o
    JOIN athletes a ON a.id = o.athlete JOIN users u ON u.id = a.user_id
    JOIN athlete_links l ON l.athlete_id = o.athlete AND l.relation = 'guardian'
)
INSERT INTO notifications (id, recipient_id, kind, payload, due_at, dedup_key)
SELECT gen_random_uuid(), f.recipient, CAST(:kind AS text),
       jsonb_build_object(
           'session_id', f.id::text, 'athlete_id', f.athlete::text, 'athlete', f.first_name,
           'title', f.title, 'starts_at', to_char(f.start_time AT TIME ZONE 'UTC',
           'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
           'closes_at', to_char(f.closes_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"'),
           'buttons', jsonb_build_array(jsonb_build_array(
               jsonb_build_object('label', 'series.rsvp.button.yes', 'button', 'rsvp.answer',
                                  'session_id', f.id::text, 'athlete_id', f.athlete::text,
                                  'answer', 'yes'),
               jsonb_build_object('label', 'series.rsvp.button.no', 'button', 'rsvp.answer',
                                  'session_id', f.id::text, 'athlete_id', f.athlete::text,
                                  'answer', 'no'),
               jsonb_build_object('label', 'series.rsvp.button.maybe', 'button', 'rsvp.answer',
                                  'session_id', f.id::text, 'athlete_id', f.athlete::text,
                                  'answer', 'maybe')))),
       GREATEST(f.due_at, CAST(:now AS timestamptz) - interval '1 minute'),
       concat_ws(':', CAST(:kind AS text), f.id, f.athlete, f.recipient, f.sequence)
FROM families f
ON CONFLICT (dedup_key) DO NOTHING
"""
_QUEUE_REQUESTS = text(_QUEUE_RSVPS.format(hours="ser.rsvp_lead_hours", unanswered="true"))
_QUEUE_REMINDERS = text(
    _QUEUE_RSVPS.format(
        hours="ser.rsvp_reminder_hours",
        unanswered="NOT EXISTS (SELECT 1 FROM session_rsvps r"
        " WHERE r.session_id = oa.id AND r.athlete_id = oa.athlete)",
    )
)


async def queue_rsvps(tx: Transaction, *, now: datetime, horizon: Any, reminders: bool) -> int:
    """Queue the RSVP requests (or reminders) due by now; how many rows were new."""
    kind = NotificationKind.RSVP_REMINDER if reminders else NotificationKind.RSVP_REQUEST
    statement = _QUEUE_REMINDERS if reminders else _QUEUE_REQUESTS
    result = await tx.session.execute(
        statement, {"now": now, "horizon": horizon, "kind": str(kind)}
    )
    return result.rowcount or 0  # type: ignore[attr-defined]


async def save_rsvp(
    tx: Transaction,
    *,
    session_id: uuid.UUID,
    athlete_id: uuid.UUID,
    answer: str,
    by: uuid.UUID,
    now: datetime,
) -> None:
    """The family's answer; a later one replaces it."""
    statement = insert(SessionRsvp).values(
        session_id=session_id, athlete_id=athlete_id, answer=answer, answered_by=by, answered_at=now
    )
    await tx.session.execute(
        statement.on_conflict_do_update(
            index_elements=[SessionRsvp.session_id, SessionRsvp.athlete_id],
            set_={"answer": answer, "answered_by": by, "answered_at": now},
        )
    )


async def save_attendance(
    tx: Transaction,
    *,
    session_id: uuid.UUID,
    athlete_id: uuid.UUID,
    status: str,
    by: uuid.UUID,
    now: datetime,
) -> None:
    """The coach's mark; a later one replaces it."""
    statement = insert(SessionAttendance).values(
        session_id=session_id, athlete_id=athlete_id, status=status, marked_by=by, marked_at=now
    )
    await tx.session.execute(
        statement.on_conflict_do_update(
            index_elements=[SessionAttendance.session_id, SessionAttendance.athlete_id],
            set_={"status": status, "marked_by": by, "marked_at": now},
        )
    )


async def rsvps_of(tx: Transaction, session_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """Each athlete's answer for one occurrence."""
    rows = await tx.session.execute(
        select(SessionRsvp.athlete_id, SessionRsvp.answer).where(
            SessionRsvp.session_id == session_id
        )
    )
    return {athlete: answer for athlete, answer in rows.all()}


async def attendance_of(tx: Transaction, session_id: uuid.UUID) -> dict[uuid.UUID, str]:
    """Each athlete's mark at one occurrence."""
    rows = await tx.session.execute(
        select(SessionAttendance.athlete_id, SessionAttendance.status).where(
            SessionAttendance.session_id == session_id
        )
    )
    return {athlete: status for athlete, status in rows.all()}


async def athlete_history(
    tx: Transaction, athlete_id: uuid.UUID, *, limit: int
) -> Sequence[Row[Any]]:
    """An athlete's marks, newest first: (series title, start, status)."""
    return (
        await tx.session.execute(
            select(SessionSeries.title, TrainingSession.start_time, SessionAttendance.status)
            .join(TrainingSession, TrainingSession.id == SessionAttendance.session_id)
            .join(SessionSeries, SessionSeries.id == TrainingSession.series_id)
            .where(SessionAttendance.athlete_id == athlete_id)
            .order_by(TrainingSession.start_time.desc())
            .limit(limit)
        )
    ).all()


async def season_counts(tx: Transaction, series_id: uuid.UUID) -> Sequence[Row[Any]]:
    """Per athlete of a series: first name, marks by status, over the held occurrences."""
    return (
        await tx.session.execute(
            text(
                """
SELECT a.id, u.first_name,
       count(*) FILTER (WHERE m.status IN ('present', 'late')) AS came,
       count(*) FILTER (WHERE m.status = 'late') AS late,
       count(*) FILTER (WHERE m.status = 'excused') AS excused,
       count(*) AS marked
FROM session_attendance m
JOIN training_sessions s ON s.id = m.session_id AND s.series_id = :series
JOIN athletes a ON a.id = m.athlete_id JOIN users u ON u.id = a.user_id
WHERE s.status <> 'cancelled'
GROUP BY a.id, u.first_name ORDER BY u.first_name, a.id
"""
            ),
            {"series": series_id},
        )
    ).all()


async def athlete_series_counts(tx: Transaction, athlete_id: uuid.UUID) -> Sequence[Row[Any]]:
    """Per series an athlete was marked in: title, came (present or late), marked."""
    return (
        await tx.session.execute(
            text(
                """
SELECT ser.title, count(*) FILTER (WHERE m.status IN ('present', 'late')) AS came,
       count(*) AS marked
FROM session_attendance m
JOIN training_sessions s ON s.id = m.session_id AND s.status <> 'cancelled'
JOIN session_series ser ON ser.id = s.series_id
WHERE m.athlete_id = :athlete
GROUP BY ser.id, ser.title ORDER BY ser.title
"""
            ),
            {"athlete": athlete_id},
        )
    ).all()


async def first_names(
    tx: Transaction, athlete_ids: Sequence[uuid.UUID]
) -> list[tuple[uuid.UUID, str]]:
    """(athlete id, first name) of these athletes, by name."""
    rows = await tx.session.execute(
        select(Athlete.id, User.first_name)
        .join(User, User.id == Athlete.user_id)
        .where(Athlete.id.in_(athlete_ids))
        .order_by(User.first_name, Athlete.id)
    )
    return [(athlete, name) for athlete, name in rows.all()]


async def first_name(tx: Transaction, athlete_id: uuid.UUID) -> str | None:
    """An athlete's first name."""
    return await tx.session.scalar(
        select(User.first_name)
        .join(Athlete, Athlete.user_id == User.id)
        .where(Athlete.id == athlete_id)
    )

"""A coach's morning digest: the day's sessions, once a day, at 07:00 in the coach's own zone.

`queue_digests` is meant to run every hour on the hour. Each run serves the coaches whose local
time is in [07:00, 08:00), so every zone, those offset by half or three quarters of an hour
included, falls in exactly one run a day; the dedup key names the coach and their local date,
so a run repeated within the hour (two bot processes, a restart) queues nothing twice.

The digest carries values, not words: each session's start instant, its athletes' first names,
its type and length; the outbox writes them in the coach's language and zone, a line each.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from domain.models import (
    NotificationKind,
    TrainingSession,
)
from domain.notifications import queries
from domain.timezones import zone_of
from domain.uow import Transaction, UnitOfWork

DIGEST = NotificationKind.DIGEST
DIGEST_HOUR = 7  # local; the hourly run reaches each zone once in this hour
DIGEST_LINE = "notification.digest.line"  # the catalogue key each session's line is worded by
DIGEST_LINE_UNNAMED = "notification.digest.line_unnamed"


async def queue_digests(uow: UnitOfWork, *, now: datetime) -> int:
    """Queue today's digest to each coach with sessions whose local time is 07:00-08:00."""
    async with uow as tx:
        rows: list[dict[str, Any]] = []
        for timezone in await queries.coach_timezones(tx):
            local_now = now.astimezone(zone_of(timezone))
            if local_now.hour == DIGEST_HOUR:
                rows += await _digests_in(tx, timezone, local_now.date(), now=now)
        queued = await tx.outbox.enqueue_many(rows)
        await tx.commit()
    return queued


async def _digests_in(
    tx: Transaction, timezone: str, day: date, *, now: datetime
) -> list[dict[str, Any]]:
    """One digest row per coach living in `timezone` with scheduled sessions on local `day`."""
    by_coach = await _sessions_by_coach(tx, timezone, day)
    names = await _athlete_names(tx, [s.id for found in by_coach.values() for s in found])
    return [
        {
            "recipient_id": coach_user_id,
            "kind": DIGEST,
            "dedup_key": f"{DIGEST}:{coach_user_id}:{day.isoformat()}",
            "payload": {
                "count": len(sessions),
                "sessions": {
                    "lines": DIGEST_LINE,
                    "items": [_item(s, names.get(s.id, [])) for s in sessions],
                },
            },
            "due_at": now,
        }
        for coach_user_id, sessions in by_coach.items()
    ]


async def _sessions_by_coach(
    tx: Transaction, timezone: str, day: date
) -> dict[uuid.UUID, list[TrainingSession]]:
    """The scheduled sessions on local `day` of the coaches in `timezone`, by coach's user."""
    zone = zone_of(timezone)
    start, end = _midnight(day, zone), _midnight(day + timedelta(days=1), zone)
    rows = await queries.scheduled_sessions_of_coaches_in(tx, timezone, start, end)
    by_coach: dict[uuid.UUID, list[TrainingSession]] = defaultdict(list)
    for session, coach_user_id in rows:
        by_coach[coach_user_id].append(session)
    return by_coach


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def _item(session: TrainingSession, names: list[str]) -> dict[str, Any]:
    minutes = int((session.end_time - session.start_time).total_seconds() // 60)
    return {
        # A group nobody has joined yet is named by its type.
        **({} if names else {"line": DIGEST_LINE_UNNAMED}),
        "start_clock": session.start_time.astimezone(UTC).isoformat(),
        "athletes": ", ".join(names),
        "session_type": session.session_type,
        "minutes": minutes,
    }


async def _athlete_names(
    tx: Transaction, session_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    """First names of each session's athletes: the one of an individual session, a group's."""
    if not session_ids:
        return {}
    names: dict[uuid.UUID, list[str]] = defaultdict(list)
    for session_id, first_name in await queries.athlete_first_names(tx, session_ids):
        names[session_id].append(first_name)
    return {session_id: sorted(found) for session_id, found in names.items()}

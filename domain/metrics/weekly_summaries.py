"""The weekly summary of an athlete's week: on Monday at 08:00 in each recipient's own zone.

`queue_weekly_summaries` is meant to run every hour on the hour, like
`domain.notifications.digests`: a run
serves the people whose local time is Monday between 08:00 and 11:00, so every zone's first run
of the week is at 08:xx local, and the two after it queue what a failed run (the database down
at 08:00) left out; the dedup key makes them queue nothing twice. "Last week" is the
recipient's own Monday-to-Monday, local; people who share a UTC offset share the week, so it
is worked out once for them all.

Who gets one: for every athlete with something to report last week (a completed session or a
logged result), the athlete's side as `domain.people.family.people_to_notify` names it and the
coaches as `domain.metrics.queries.results.coaches_of` does, each in their own units. The
dedup key names the athlete, the ISO week and the recipient, so a repeated run queues nothing
twice. Athletes are summarised BATCH at a time, each batch in a few grouped queries
(`domain.metrics.queries.athlete_weeks`) and one insert, in a transaction of its own.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from typing import Any

from domain.metrics.queries.athlete_weeks import (
    Week,
    WeekOf,
    active_athletes,
    audiences,
    weeks_of,
)
from domain.metrics.units import display
from domain.models import NotificationKind, User
from domain.people.queries import first_names, timezones_in_use
from domain.timezones import zone_of
from domain.uow import Transaction, UnitOfWork

WEEKLY_SUMMARY = NotificationKind.WEEKLY_SUMMARY
SUMMARY_WEEKDAY, SUMMARY_HOUR = 0, 8  # Monday 08:xx local
CATCH_UP_HOURS = 3  # runs in the hours after 08:00 queue what an earlier run could not
NOTHING = "–"
BEST_LINE = "notification.weekly_summary.best"
NO_BESTS_LINE = "notification.weekly_summary.no_bests"
# Athletes summarised together: a handful of grouped queries and one insert per batch.
BATCH = 100


async def queue_weekly_summaries(uow: UnitOfWork, *, now: datetime) -> int:
    """Queue last week's summaries for everyone whose local time is Monday 08:00-11:00."""
    async with uow as tx:
        weeks: dict[Week, set[str]] = {}
        for timezone in await _timezones(tx):
            week = last_week(now, timezone)
            if week is not None:
                weeks.setdefault(week, set()).add(timezone)
        active = {week: await active_athletes(tx, week) for week in weeks}
    queued = 0
    for week, timezones in weeks.items():
        for first in range(0, len(active[week]), BATCH):
            batch = active[week][first : first + BATCH]
            # A transaction per batch: what one queued stays queued if a later one fails, and
            # the dedup key keeps a rerun from queueing it twice.
            async with uow as tx:
                queued += await tx.outbox.enqueue_many(
                    await _summaries(tx, batch, week, timezones, now=now)
                )
                await tx.commit()
    return queued


def last_week(now: datetime, timezone: str) -> Week | None:
    """The week just over in `timezone`, if it is now Monday 08:00-11:00 there; else None."""
    zone = zone_of(timezone)
    local = now.astimezone(zone)
    hours_late = local.hour - SUMMARY_HOUR
    if local.weekday() != SUMMARY_WEEKDAY or not 0 <= hours_late < CATCH_UP_HOURS:
        return None
    monday: date = local.date()
    return Week(
        start=datetime.combine(monday - timedelta(days=7), time(0), tzinfo=zone),
        end=datetime.combine(monday, time(0), tzinfo=zone),
    )


async def _timezones(tx: Transaction) -> Sequence[str]:
    return await timezones_in_use(tx)


async def _summaries(
    tx: Transaction, athlete_ids: list[uuid.UUID], week: Week, timezones: set[str], *, now: datetime
) -> list[dict[str, Any]]:
    """The summary rows of a batch of athletes for the recipients living in `timezones`."""
    told_about = await audiences(tx, athlete_ids)
    recipients = {
        athlete_id: [
            person for person in told_about.get(athlete_id, []) if person.timezone in timezones
        ]
        for athlete_id in athlete_ids
    }
    told = [athlete_id for athlete_id in athlete_ids if recipients[athlete_id]]
    if not told:
        return []
    names = await first_names(tx, told)
    summaries = await weeks_of(tx, told, week, now=now)
    return [
        _row(summaries[athlete_id], names.get(athlete_id, ""), week, person, now)
        for athlete_id in told
        for person in recipients[athlete_id]
    ]


def _row(summary: WeekOf, name: str, week: Week, person: User, now: datetime) -> dict[str, Any]:
    units = person.units or "metric"
    bests = [
        {"metric": kind.reference(), "value": display(value, kind.unit, units=units)}
        for kind, value in summary.bests
    ]
    last_day = (week.end - timedelta(days=1)).date()
    return {
        "recipient_id": person.id,
        "kind": WEEKLY_SUMMARY,
        "dedup_key": f"{WEEKLY_SUMMARY}:{summary.athlete_id}:{week.iso}:{person.id}",
        "due_at": now,
        "payload": {
            "athlete": name,
            # Dates and lines are worded in the recipient's language when sent (bot.outbox).
            "week_start_date": week.start.date().isoformat(),
            "week_end_date": last_day.isoformat(),
            "sessions_done": summary.sessions_done,
            "metrics_logged": summary.metrics_logged,
            "bests": {"lines": BEST_LINE, "items": bests}
            if bests
            else {"lines": NO_BESTS_LINE, "items": [{}]},
            # Shown in the recipient's own zone and language when it is sent (bot.outbox).
            "next_at": summary.next_session.isoformat() if summary.next_session else NOTHING,
            "athlete_id": str(summary.athlete_id),
        },
    }

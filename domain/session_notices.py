"""What people hear about a session, queued in the outbox inside the action's own transaction.

Every notice is a `notifications` row (see domain.notifications for how they are sent) with a
dedup key naming the event, the session, the recipient and, where a session can change, its
calendar SEQUENCE: the same event is never queued twice for one version of a session, and a
moved session gets fresh reminders. Times travel as ISO strings under `*_at` keys, so the
sender shows them in each recipient's own time zone.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.calendar_files import (
    Participant,
    SessionEvent,
    booking_ics,
    cancellation_ics,
    ics_document,
)
from domain.family import people_to_notify
from domain.models import User
from domain.sessions import SCHEDULED, LoadedSession, full_name
from domain.short_ids import short_id
from domain.uow import UnitOfWork

REMINDER_24H = "reminder_24h"
REMINDER_1H = "reminder_1h"
FOLLOWUP = "session_followup"
COACH_FOLLOWUP = "session_followup_coach"
# Queued ahead of time for a scheduled session; dropped when it moves or is cancelled.
PLANNED_KINDS = (REMINDER_24H, REMINDER_1H, FOLLOWUP, COACH_FOLLOWUP)
REMINDER_LEADS = {REMINDER_24H: timedelta(hours=24), REMINDER_1H: timedelta(hours=1)}
# Long enough for the session to have really ended; short enough to be remembered.
FOLLOWUP_DELAY = timedelta(minutes=15)
FLOW = "ses"  # callback data prefix of the session buttons (handlers/sessions.py)


async def athlete_side(uow: UnitOfWork, loaded: LoadedSession) -> list[User]:
    """Everyone on the athletes' side: the athletes on Telegram, parents, guardians."""
    seen: dict[uuid.UUID, User] = {}
    for athlete_id in loaded.athlete_ids:
        for user in await people_to_notify(uow, athlete_id):
            seen.setdefault(user.id, user)
    return list(seen.values())


def payload(loaded: LoadedSession, **extra: Any) -> dict[str, Any]:
    """The facts every session notice can use in its text."""
    view = loaded.view()
    return {
        "session_id": str(view.id),
        "coach": view.coach_name,
        "athlete": ", ".join(view.athlete_names),
        "session_type": view.session_type,
        "starts_at": view.start.astimezone(UTC).isoformat(),
        "ends_at": view.end.astimezone(UTC).isoformat(),
        "minutes": view.minutes,
        "price": view.price_text,
        "place": view.meeting_url or view.location,
        **extra,
    }


def buttons(*rows: Iterable[tuple[str, str, str | int]]) -> list[list[dict[str, str]]]:
    """Inline buttons for a notice: (label key, action, argument) per button."""
    return [
        [{"label": label, "data": f"{FLOW}:{action}:{arg}"} for label, action, arg in row]
        for row in rows
    ]


def calendar_file(loaded: LoadedSession, *, cancelled: bool = False) -> dict[str, str]:
    """The session's .ics (current SEQUENCE) as a notice document."""
    view = loaded.view()
    event = SessionEvent(
        uid=f"{view.id}@sportscenter",
        sequence=view.sequence,
        start=view.start,
        end=view.end,
        summary=f"{view.session_type.capitalize()} · {view.coach_name}",
        organizer=Participant(view.coach_name),
        description=", ".join(view.athlete_names),
        location=view.location,
        url=view.meeting_url,
        attendees=tuple(Participant(name) for name in view.athlete_names),
        confirmed=view.status == SCHEDULED,
    )
    content = cancellation_ics(event) if cancelled else booking_ics(event)
    return ics_document(content, "session.ics")


async def notify(
    uow: UnitOfWork,
    loaded: LoadedSession,
    kind: str,
    recipients: Iterable[User],
    *,
    now: datetime,
    due_at: datetime | None = None,
    versioned: bool = True,
    tag: str = "",
    **extra: Any,
) -> int:
    """Queue one notice of `kind` to each recipient; returns how many were new.

    The dedup key names the kind, session, recipient, the session's SEQUENCE (unless
    `versioned` is False) and `tag`, for events that can happen more than once per version.
    """
    body = payload(loaded, **extra)
    version = f":{loaded.session.sequence}" if versioned else ""
    version += f":{tag}" if tag else ""
    rows = [
        {
            "recipient_id": user.id,
            "kind": kind,
            "dedup_key": f"{kind}:{loaded.session.id}:{user.id}{version}",
            "payload": body,
            "due_at": due_at or now,
        }
        for user in recipients
    ]
    return await uow.outbox.enqueue_many(rows)


async def plan_reminders(uow: UnitOfWork, loaded: LoadedSession, *, now: datetime) -> int:
    """Queue the 24 h and 1 h reminders and the after-session prompts of a scheduled session."""
    if loaded.session.status != SCHEDULED:
        return 0
    start, end = loaded.session.start_time, loaded.session.end_time
    family = await athlete_side(uow, loaded)
    everyone = [*family, loaded.coach_user]
    queued = 0
    for kind, lead in REMINDER_LEADS.items():
        # A reminder whose moment has passed at booking time would only be noise.
        if start - lead > now:
            queued += await notify(uow, loaded, kind, everyone, now=now, due_at=start - lead)
    sid = loaded.session.id
    rate = buttons([("session.button.rate_n", f"rate{n}", short_id(sid)) for n in range(1, 6)])
    queued += await notify(
        uow, loaded, FOLLOWUP, family, now=now, due_at=end + FOLLOWUP_DELAY, buttons=rate
    )
    outcome = buttons(
        [
            ("session.button.completed", "done", short_id(sid)),
            ("session.button.no_show", "noshow", short_id(sid)),
        ]
    )
    queued += await notify(
        uow,
        loaded,
        COACH_FOLLOWUP,
        [loaded.coach_user],
        now=now,
        due_at=end + FOLLOWUP_DELAY,
        buttons=outcome,
    )
    return queued


async def drop_reminders(uow: UnitOfWork, loaded: LoadedSession) -> int:
    """Forget the reminders and prompts not yet sent (the session moved or is off)."""
    return await uow.outbox.drop_unsent(kinds=PLANNED_KINDS, session_id=loaded.session.id)


def coach_name(user: User) -> str:
    """The coach's name as notices show it."""
    return full_name(user)

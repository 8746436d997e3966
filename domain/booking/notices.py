"""What people hear about a session, queued in the outbox inside the action's own transaction.

Every notice is a `notifications` row (see domain.notifications for how they are sent) with a
dedup key naming the event, the session, the recipient and, where a session can change, its
calendar SEQUENCE: the same event is never queued twice for one version of a session, and a
moved session gets fresh reminders. Times travel as ISO strings under `*_at` keys, so the
sender shows them in each recipient's own time zone.

How they are addressed and written (one statement for any number) is
`domain.booking.queries.notice_queue`.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from domain.booking.calendar_files import (
    Participant,
    SessionEvent,
    booking_ics,
    cancellation_ics,
    ics_document,
)
from domain.booking.queries.notice_queue import (
    COACH,
    FAMILY,
    Notice,
    enqueue_params,
    enqueue_statement,
)
from domain.booking.queries.sessions import drop_unsent_notices
from domain.booking.sessions import GROUP, LoadedSession, SessionView
from domain.models import NotificationKind, SessionStatus
from domain.uow import Transaction

REMINDER_24H = NotificationKind.REMINDER_24H
REMINDER_1H = NotificationKind.REMINDER_1H
FOLLOWUP = NotificationKind.SESSION_FOLLOWUP
COACH_FOLLOWUP = NotificationKind.SESSION_FOLLOWUP_COACH
# Queued ahead of time for a scheduled session; dropped when it moves or is cancelled.
PLANNED_KINDS = (REMINDER_24H, REMINDER_1H, FOLLOWUP, COACH_FOLLOWUP)
REMINDER_LEADS = {REMINDER_24H: timedelta(hours=24), REMINDER_1H: timedelta(hours=1)}
# Long enough for the session to have really ended; short enough to be remembered.
FOLLOWUP_DELAY = timedelta(minutes=15)
# Button intents: a code and the session; the delivery side (`handlers.booking.delivery`) turns
# them into callback data, so the domain knows nothing of Telegram's buttons.
ACCEPT, DECLINE = "session.accept", "session.decline"
COMPLETED, NO_SHOW, RATE = "session.completed", "session.no_show", "session.rate"


def payload(view: SessionView, **extra: Any) -> dict[str, Any]:
    """The facts every session notice can use in its text."""
    return {
        "session_id": str(view.id),
        "coach": view.coach_name,
        "athlete": ", ".join(view.athlete_names),
        "session_type": view.session_type,
        "starts_at": view.start.astimezone(UTC).isoformat(),
        "ends_at": view.end.astimezone(UTC).isoformat(),
        "minutes": view.minutes,
        "price": view.price_value or "",
        "place": view.meeting_url or view.location,
        **extra,
    }


def button(label: str, intent: str, session_id: uuid.UUID, **values: Any) -> dict[str, Any]:
    """A notice's button: its label key, what it does (`intent`) and to which session."""
    return {"label": label, "button": intent, "session_id": str(session_id), **values}


def calendar_file(
    view: SessionView, *, cancelled: bool = False, now: datetime | None = None
) -> dict[str, str]:
    """The session's .ics (current SEQUENCE) as a notice document."""
    # A group's file goes to every family: it names no child (they are other people's).
    names = () if view.session_type == GROUP else view.athlete_names
    event = SessionEvent(
        uid=f"{view.id}@sportscenter",
        sequence=view.sequence,
        start=view.start,
        end=view.end,
        summary=f"{view.session_type.capitalize()} · {view.coach_name}",
        organizer=Participant(view.coach_name),
        description=", ".join(names),
        location=view.location,
        url=view.meeting_url,
        attendees=tuple(Participant(name) for name in names),
        confirmed=view.status == SessionStatus.SCHEDULED,
    )
    content = cancellation_ics(event, now=now) if cancelled else booking_ics(event, now=now)
    return ics_document(content, "session.ics")


def reminder_notices(view: SessionView, *, now: datetime) -> list[Notice]:
    """The 24 h and 1 h reminders and the after-session prompts of a scheduled session."""
    if view.status != SessionStatus.SCHEDULED:
        return []
    facts = payload(view)
    notices = [
        Notice((FAMILY, COACH), kind, facts, view.start - lead)
        for kind, lead in REMINDER_LEADS.items()
        # A reminder whose moment has passed at booking time would only be noise.
        if view.start - lead > now
    ]
    rate = [
        [
            {**button("session.button.rate_n", RATE, view.id, stars=n), "params": {"n": n}}
            for n in range(1, 6)
        ]
    ]
    outcome = [
        [
            button("session.button.completed", COMPLETED, view.id),
            button("session.button.no_show", NO_SHOW, view.id),
        ]
    ]
    after = view.end + FOLLOWUP_DELAY
    notices.append(Notice((FAMILY,), FOLLOWUP, {**facts, "buttons": rate}, after))
    notices.append(Notice((COACH,), COACH_FOLLOWUP, {**facts, "buttons": outcome}, after))
    return notices


def booking_notices(
    view: SessionView, *, now: datetime, booker: uuid.UUID, joined: bool = False
) -> list[Notice]:
    """What a new booking tells the coach and the athletes' side (and, confirmed, reminders)."""
    facts = payload(view)
    if view.status == SessionStatus.REQUESTED:
        decide = [
            [
                button("session.button.accept", ACCEPT, view.id),
                button("session.button.decline", DECLINE, view.id),
            ]
        ]
        return [
            Notice((COACH,), NotificationKind.BOOKING_REQUEST, {**facts, "buttons": decide}),
            # The booker's flow says "request sent"; the rest of the family hears it here.
            Notice((FAMILY,), NotificationKind.BOOKING_REQUESTED, facts, skip=booker),
        ]
    document = calendar_file(view, now=now)
    coach_kind = NotificationKind.GROUP_JOINED if joined else NotificationKind.BOOKING_NEW
    return [
        Notice((COACH,), coach_kind, {**facts, "document": document}),
        Notice((FAMILY,), NotificationKind.BOOKING_CONFIRMED, {**facts, "document": document}),
        *reminder_notices(view, now=now),
    ]


async def tell(
    tx: Transaction,
    loaded: LoadedSession,
    notices: Collection[Notice],
    *,
    now: datetime,
    exclude: uuid.UUID | None = None,
    tag: str = "",
    athletes: Collection[uuid.UUID] | None = None,
) -> list[uuid.UUID]:
    """`enqueue` for a loaded session: the coach, and the families of `athletes` (default all).

    In a group session each family hears about its own child only: the other children are
    other people's children, so their names are not theirs to read.
    """
    return list(
        dict.fromkeys(
            await _tell_rows(
                tx, loaded, notices, now=now, exclude=exclude, tag=tag, athletes=athletes
            )
        )
    )


async def _tell_rows(
    tx: Transaction,
    loaded: LoadedSession,
    notices: Collection[Notice],
    *,
    now: datetime,
    exclude: uuid.UUID | None = None,
    tag: str = "",
    athletes: Collection[uuid.UUID] | None = None,
) -> list[uuid.UUID]:
    """The recipient of every row written (one per row, so callers can count rows)."""
    view = loaded.view()
    wanted = set(loaded.athlete_ids if athletes is None else athletes)
    batches: list[tuple[list[Notice], list[uuid.UUID]]]
    if loaded.session.session_type != GROUP:
        batches = [(list(notices), [a for a in loaded.athlete_ids if a in wanted])]
        payer = loaded.session.booked_by
    else:
        # Group places are not invoiced (yet): a group session has no one payer.
        payer = None
        to_coach = [replace(n, audiences=(COACH,)) for n in notices if COACH in n.audiences]
        batches = [(to_coach, [])]
        for athlete, user in loaded.athletes:
            if athlete.id not in wanted:
                continue
            own = [
                replace(n, audiences=(FAMILY,), payload={**n.payload, "athlete": user.first_name})
                for n in notices
                if FAMILY in n.audiences
            ]
            batches.append((own, [athlete.id]))
    written: list[uuid.UUID] = []
    for batch, athlete_ids in batches:
        if not batch:
            continue
        params = enqueue_params(
            view,
            batch,
            coach_user_id=loaded.coach_user.id,
            athlete_ids=athlete_ids,
            now=now,
            exclude=exclude,
            tag=tag,
            payer_user_id=payer,
        )
        written += (await tx.session.scalars(enqueue_statement(), params)).all()
    return written


async def plan_reminders(tx: Transaction, loaded: LoadedSession, *, now: datetime) -> int:
    """Queue the reminders and prompts of a scheduled session; returns rows newly written."""
    notices = reminder_notices(loaded.view(), now=now)
    return len(await _tell_rows(tx, loaded, notices, now=now))


async def drop_reminders(tx: Transaction, loaded: LoadedSession) -> int:
    """Forget the reminders and prompts not yet sent (the session moved or is off)."""
    return await drop_unsent_notices(tx, kinds=PLANNED_KINDS, session_id=loaded.session.id)

"""What people hear about a session, queued in the outbox inside the action's own transaction.

Every notice is a `notifications` row (see domain.notifications for how they are sent) with a
dedup key naming the event, the session, the recipient and, where a session can change, its
calendar SEQUENCE: the same event is never queued twice for one version of a session, and a
moved session gets fresh reminders. Times travel as ISO strings under `*_at` keys, so the
sender shows them in each recipient's own time zone.

A notice is addressed to an audience, not to people: the coach, or the athletes' side (each
athlete on Telegram, their parents and guardians; `domain.family.audience_ids`). One
INSERT ... SELECT resolves the audiences and writes every row, so a booking's notices cost one
round trip however many people they reach.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import (
    Insert,
    Text,
    bindparam,
    cast,
    column,
    func,
    literal,
    select,
    union_all,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID, insert
from sqlalchemy.types import DateTime

from domain.calendar_files import (
    Participant,
    SessionEvent,
    booking_ics,
    cancellation_ics,
    ics_document,
)
from domain.family import audience_ids
from domain.models import Notification
from domain.sessions import GROUP, SCHEDULED, LoadedSession, SessionView
from domain.short_ids import short_id
from domain.uow import UnitOfWork

COACH = "coach"
FAMILY = "family"
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


@dataclass(frozen=True)
class Notice:
    """One event to tell an audience (COACH, FAMILY or both) about, at `due_at` (None: now)."""

    audiences: tuple[str, ...]
    kind: str
    payload: dict[str, Any]
    due_at: datetime | None = None


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
        "price": view.price_text,
        "place": view.meeting_url or view.location,
        **extra,
    }


def buttons(*rows: Iterable[tuple[str, str, str]]) -> list[list[dict[str, Any]]]:
    """Inline buttons for a notice: (label key, action, argument) per button."""
    return [
        [{"label": label, "data": f"{FLOW}:{action}:{arg}"} for label, action, arg in row]
        for row in rows
    ]


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
        confirmed=view.status == SCHEDULED,
    )
    content = cancellation_ics(event, now=now) if cancelled else booking_ics(event, now=now)
    return ics_document(content, "session.ics")


def reminder_notices(view: SessionView, *, now: datetime) -> list[Notice]:
    """The 24 h and 1 h reminders and the after-session prompts of a scheduled session."""
    if view.status != SCHEDULED:
        return []
    facts = payload(view)
    notices = [
        Notice((FAMILY, COACH), kind, facts, view.start - lead)
        for kind, lead in REMINDER_LEADS.items()
        # A reminder whose moment has passed at booking time would only be noise.
        if view.start - lead > now
    ]
    sid = short_id(view.id)
    rate = buttons([("session.button.rate_n", f"rate{n}", sid) for n in range(1, 6)])
    for n, button in enumerate(rate[0], start=1):
        button["params"] = {"n": n}
    outcome = buttons(
        [("session.button.completed", "done", sid), ("session.button.no_show", "noshow", sid)]
    )
    after = view.end + FOLLOWUP_DELAY
    notices.append(Notice((FAMILY,), FOLLOWUP, {**facts, "buttons": rate}, after))
    notices.append(Notice((COACH,), COACH_FOLLOWUP, {**facts, "buttons": outcome}, after))
    return notices


def enqueue_statement() -> Insert:
    """One INSERT ... SELECT writing every notice to every member of its audiences.

    Built once: what changes from call to call travels in the parameters of `enqueue_params`,
    so SQLAlchemy compiles it once and the database sees one prepared statement. The notices
    are one JSON parameter, so the shape is the same however many there are. Returns the
    recipients of the rows actually written.
    """
    return _ENQUEUE


def enqueue_params(
    view: SessionView,
    notices: Collection[Notice],
    *,
    coach_user_id: uuid.UUID,
    athlete_ids: Collection[uuid.UUID],
    now: datetime,
    exclude: uuid.UUID | None = None,
    tag: str = "",
) -> dict[str, Any]:
    """The parameters of `enqueue_statement` for these notices about this session.

    The dedup key is `{kind}:{session}:{recipient}:{sequence}` (plus `:{tag}` for an event that
    can happen more than once per version); `exclude` (the person acting) hears nothing, since
    they get a direct reply instead.
    """
    return {
        "notices": [
            {
                "audience": audience,
                "kind": notice.kind,
                "payload": notice.payload,
                "due_at": (notice.due_at or now).isoformat(),
            }
            for notice in notices
            for audience in notice.audiences
        ],
        "coach_user": coach_user_id,
        "athletes": list(athlete_ids),
        "session_part": f":{view.id}:",
        "version_part": f":{view.sequence}" + (f":{tag}" if tag else ""),
        "now": now,
        "exclude": exclude,
    }


def _enqueue() -> Insert:
    wanted = (
        func.jsonb_to_recordset(bindparam("notices", type_=JSONB))
        .table_valued(
            column("audience", Text),
            column("kind", Text),
            column("payload", JSONB),
            column("due_at", DateTime(timezone=True)),
        )
        .render_derived(name="wanted", with_types=True)
    )
    athletes = bindparam("athletes", expanding=True, type_=UUID)
    members = union_all(
        select(
            literal(COACH, Text).label("audience"),
            cast(bindparam("coach_user", type_=UUID), UUID).label("id"),
        ),
        select(literal(FAMILY, Text), audience_ids(athletes).subquery().c[0]),
    ).subquery("members")
    now = bindparam("now", type_=DateTime(timezone=True))
    dedup_key = func.concat(
        wanted.c.kind,
        bindparam("session_part", type_=Text),
        members.c.id,
        bindparam("version_part", type_=Text),
    )
    rows = (
        select(
            # Spelled out: a Python-side default would be rendered once for every row.
            func.uuid_generate_v4(),
            now,
            now,
            members.c.id,
            wanted.c.kind,
            dedup_key,
            wanted.c.payload,
            wanted.c.due_at,
        )
        .join(members, members.c.audience == wanted.c.audience)
        .where(members.c.id.is_distinct_from(bindparam("exclude", type_=UUID)))
        .distinct()
    )
    columns = [
        "id",
        "created_at",
        "updated_at",
        "recipient_id",
        "kind",
        "dedup_key",
        "payload",
        "due_at",
    ]
    return (
        insert(Notification.__table__)
        .from_select(columns, rows)
        .on_conflict_do_nothing(index_elements=[Notification.dedup_key])
        .returning(Notification.recipient_id)
    )


_ENQUEUE = _enqueue()


async def enqueue(
    uow: UnitOfWork,
    view: SessionView,
    notices: Collection[Notice],
    *,
    coach_user_id: uuid.UUID,
    athlete_ids: Collection[uuid.UUID],
    now: datetime,
    exclude: uuid.UUID | None = None,
    tag: str = "",
) -> list[uuid.UUID]:
    """Queue the notices; returns who will hear (each person once, whatever the count)."""
    if not notices:
        return []
    params = enqueue_params(
        view,
        notices,
        coach_user_id=coach_user_id,
        athlete_ids=athlete_ids,
        now=now,
        exclude=exclude,
        tag=tag,
    )
    recipients = (await uow.session.scalars(_ENQUEUE, params)).all()
    return list(dict.fromkeys(recipients))


async def tell(
    uow: UnitOfWork,
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
                uow, loaded, notices, now=now, exclude=exclude, tag=tag, athletes=athletes
            )
        )
    )


async def _tell_rows(
    uow: UnitOfWork,
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
    else:
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
        )
        written += (await uow.session.scalars(_ENQUEUE, params)).all()
    return written


async def plan_reminders(uow: UnitOfWork, loaded: LoadedSession, *, now: datetime) -> int:
    """Queue the reminders and prompts of a scheduled session; returns rows newly written."""
    notices = reminder_notices(loaded.view(), now=now)
    return len(await _tell_rows(uow, loaded, notices, now=now))


async def drop_reminders(uow: UnitOfWork, loaded: LoadedSession) -> int:
    """Forget the reminders and prompts not yet sent (the session moved or is off)."""
    return await uow.outbox.drop_unsent(kinds=PLANNED_KINDS, session_id=loaded.session.id)

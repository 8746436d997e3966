"""Writing notices about a session to the outbox: one INSERT ... SELECT for any number of them.

A notice is addressed to an audience, not to people: the coach, or the athletes' side (each
athlete on Telegram, their parents and guardians; `domain.people.queries.audience_ids`). The
statement
resolves the audiences in SQL and writes every row, so a booking's notices cost one round trip
however many people they reach. What the notices say is `domain.booking.notices`.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
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
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID, insert
from sqlalchemy.types import DateTime

from domain.booking.sessions import SessionView
from domain.models import Notification
from domain.people.queries import audience_ids

COACH = "coach"
FAMILY = "family"
PAYER = "payer"  # who booked an individual session, and pays for it


@dataclass(frozen=True)
class Notice:
    """One event to tell an audience (COACH, FAMILY or both) about, at `due_at` (None: now)."""

    audiences: tuple[str, ...]
    kind: str
    payload: dict[str, Any]
    due_at: datetime | None = None
    # Who does not get this one: the person acting, whose own flow already answered them.
    skip: uuid.UUID | None = None


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
    payer_user_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """The parameters of `enqueue_statement` for these notices about this session.

    The dedup key is `{kind}:{session}:{recipient}:{sequence}` (plus `:{tag}` for an event that
    can happen more than once per version); `exclude` (the person acting) hears none of them,
    a notice's own `skip` person does not hear that one: they get a direct reply instead.
    """
    return {
        "notices": [
            {
                "audience": audience,
                "kind": notice.kind,
                "payload": notice.payload,
                "due_at": (notice.due_at or now).isoformat(),
                "skip": str(skipped) if (skipped := notice.skip or exclude) else None,
            }
            for notice in notices
            for audience in notice.audiences
        ],
        "coach_user": coach_user_id,
        "payer": payer_user_id,
        "athletes": list(athlete_ids),
        "session_part": f":{view.id}:",
        "version_part": f":{view.sequence}" + (f":{tag}" if tag else ""),
        "now": now,
    }


def _enqueue() -> Insert:
    wanted = (
        func.jsonb_to_recordset(bindparam("notices", type_=JSONB))
        .table_valued(
            column("audience", Text),
            column("kind", Text),
            column("payload", JSONB),
            column("due_at", DateTime(timezone=True)),
            column("skip", UUID),
        )
        .render_derived(name="wanted", with_types=True)
    )
    athletes = bindparam("athletes", type_=ARRAY(UUID))
    members = union_all(
        select(
            literal(COACH, Text).label("audience"),
            cast(bindparam("coach_user", type_=UUID), UUID).label("id"),
        ),
        select(literal(FAMILY, Text), audience_ids(athletes).subquery().c[0]),
        select(literal(PAYER, Text), cast(bindparam("payer", type_=UUID), UUID)),
    ).subquery("members")
    now = bindparam("now", type_=DateTime(timezone=True))
    dedup_key = func.concat(
        wanted.c.kind,
        bindparam("session_part", type_=Text),
        members.c.id,
        bindparam("version_part", type_=Text),
    )
    wanted_rows = (
        select(
            members.c.id.label("recipient_id"),
            wanted.c.kind,
            dedup_key.label("dedup_key"),
            wanted.c.payload,
            wanted.c.due_at,
        )
        .join(members, members.c.audience == wanted.c.audience)
        .where(
            members.c.id.is_not(None),
            members.c.id.is_distinct_from(wanted.c.skip),
        )
        .distinct()
        .subquery("wanted_rows")
    )
    rows = select(
        # Spelled out: a Python-side default would be rendered once for every row.
        func.uuid_generate_v4(),
        now,
        now,
        wanted_rows.c.recipient_id,
        wanted_rows.c.kind,
        wanted_rows.c.dedup_key,
        wanted_rows.c.payload,
        wanted_rows.c.due_at,
    ).order_by(
        # Every writer inserts the same keys in the same order, so two planners racing over one
        # session wait for each other instead of deadlocking.
        wanted_rows.c.dedup_key
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

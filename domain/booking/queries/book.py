"""The one statement that books an individual session: the session, its audit entry and every
notice, so the no-overlap constraint fails it as a whole and a booking costs one round trip."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import bindparam, insert

from domain.booking.queries.notice_queue import enqueue_statement
from domain.driver import DriverStatement
from domain.models import AuditEntry, TrainingSession
from domain.uow import Transaction

_SESSION_COLUMNS = (
    "id",
    "coach_id",
    "athlete_id",
    "session_type",
    "status",
    "start_time",
    "end_time",
    "location",
    "price",
    "payment_status",
    "booked_by",
    "capacity",
    "participant_count",
    "sequence",
    "payment_due_at",
    "created_at",
    "updated_at",
)
_AUDIT_COLUMNS = ("id", "actor_id", "action", "entity", "entity_id", "details", "at")


def _bound(model: type[TrainingSession] | type[AuditEntry], prefix: str, names: tuple[str, ...]):
    table = model.__table__
    return {name: bindparam(f"{prefix}_{name}", type_=table.c[name].type) for name in names}


def _prefixed(prefix: str, values: Mapping[str, object]) -> dict[str, object]:
    return {f"{prefix}_{name}": value for name, value in values.items()}


# The enqueue statement with the session and its audit entry as data-modifying CTEs: one
# statement, built and compiled once (Python-side column defaults do not apply in a CTE,
# so every column is given).
_BOOK = enqueue_statement().add_cte(
    insert(TrainingSession.__table__)
    .values(_bound(TrainingSession, "s", _SESSION_COLUMNS))
    .cte("booked"),
    insert(AuditEntry.__table__).values(_bound(AuditEntry, "a", _AUDIT_COLUMNS)).cte("audited"),
)
_BOOK_ON_DRIVER = DriverStatement(_BOOK)


async def insert_booking(
    tx: Transaction,
    *,
    notices: Mapping[str, Any],
    session: Mapping[str, object],
    audit: Mapping[str, object],
) -> Sequence[uuid.UUID]:
    """Write the session (every column of `_SESSION_COLUMNS`), its audit entry (every column of
    `_AUDIT_COLUMNS`) and its notices (`enqueue_params`); the notices' recipients.

    Runs on the transaction's asyncpg connection and must be the transaction's last statement:
    when nothing before it began the transaction on the server (no buffer lock was taken), the
    statement is a transaction of its own (one statement: all or nothing, with the overlap
    check) and the commit after it has nothing left to send.
    """
    params = {**notices, **_prefixed("s", session), **_prefixed("a", audit)}
    return [row.recipient_id for row in await _BOOK_ON_DRIVER.rows(tx, params)]

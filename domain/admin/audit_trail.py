"""/audit: the audit log read back, filtered by person, action and dates, a page at a time.

The log is append-only (migration 0012: a trigger refuses UPDATE and DELETE); this module only
reads it. Entries are returned as facts (who, what action, on what, when); the chat layer
words the action in the reader's language and times in their zone.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from domain.admin import queries
from domain.admin.people import resolve_one
from domain.errors import NotFound
from domain.policy import Action, Actor, System, require
from domain.timezones import zone_of
from domain.uow import UnitOfWork

PAGE_SIZE = 10


@dataclass(frozen=True)
class AuditFilter:
    """What an admin asked for; dates are the reader's local days, both ends included."""

    person: str | None = None  # a name, @username or id, as /user takes it
    action: str | None = None
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class AuditLine:
    """One entry: who did what to what, and when."""

    at: datetime | None
    actor: str | None  # None: the service itself (a job, a seed)
    action: str
    entity: str
    target: str | None  # the named user's name, when the entity is a user
    entity_id: uuid.UUID | None
    details: dict[str, Any]


@dataclass(frozen=True)
class AuditPage:
    """A page of entries, newest first, and where it sits among them."""

    lines: list[AuditLine]
    page: int
    pages: int
    total: int


async def read(
    uow: UnitOfWork, *, admin: Actor, wanted: AuditFilter, page: int, timezone: str
) -> AuditPage:
    """The page asked for (0-based, clamped to the last one)."""
    require(admin, Action.ADMIN_COMMAND, System())
    zone = zone_of(timezone)
    bounds: dict[str, Any] = {
        "person": None,
        "action": wanted.action,
        "since": datetime.combine(wanted.since, datetime.min.time(), zone)
        if wanted.since
        else None,
        "until": (
            datetime.combine(wanted.until + timedelta(days=1), datetime.min.time(), zone)
            if wanted.until
            else None
        ),
    }
    async with uow as tx:
        if wanted.person:
            who = await resolve_one(tx, wanted.person)
            if who is None:
                raise NotFound("audit person")
            bounds["person"] = who.id
        total = await queries.audit_count(tx, **bounds)
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(page, 0), pages - 1)
        rows = await queries.audit_page(tx, **bounds, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
    lines = [
        AuditLine(
            at=entry.at,
            actor=actor or None,
            action=entry.action,
            entity=entry.entity,
            target=(target or None) if entry.entity == "user" else None,
            entity_id=entry.entity_id,
            details=dict(entry.details or {}),
        )
        for entry, actor, target in rows
    ]
    return AuditPage(lines, page, pages, total)

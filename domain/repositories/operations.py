"""The audit trail and the notifications outbox."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import AuditEntry, Notification


class AuditLog:
    """Append-only record of sensitive operations."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def record(
        self,
        *,
        actor_id: uuid.UUID | None,
        action: str,
        entity: str,
        entity_id: uuid.UUID | None,
        details: dict[str, Any] | None = None,
    ) -> AuditEntry:
        """Stage an audit entry in the current transaction."""
        entry = AuditEntry(
            actor_id=actor_id,
            action=action,
            entity=entity,
            entity_id=entity_id,
            details=details or {},
        )
        self.session.add(entry)
        return entry


class Outbox:
    """Notifications written in the same transaction as the change they announce."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def enqueue(
        self,
        *,
        recipient_id: uuid.UUID,
        kind: str,
        dedup_key: str,
        payload: dict[str, Any] | None = None,
        due_at: datetime | None = None,
    ) -> bool:
        """Queue a notification once per dedup key; False if it was already queued."""
        statement = (
            insert(Notification)
            .values(
                recipient_id=recipient_id,
                kind=kind,
                dedup_key=dedup_key,
                payload=payload or {},
                due_at=due_at if due_at is not None else func.now(),
            )
            .on_conflict_do_nothing(index_elements=[Notification.dedup_key])
            .returning(Notification.id)
        )
        return (await self.session.execute(statement)).first() is not None

    async def enqueue_many(self, rows: Sequence[dict[str, Any]]) -> int:
        """Queue many notifications in one statement (keys as for `enqueue`); returns how many
        were new. Rows whose dedup key is already queued are skipped."""
        if not rows:
            return 0
        values = [
            {
                "recipient_id": row["recipient_id"],
                "kind": row["kind"],
                "dedup_key": row["dedup_key"],
                "payload": row.get("payload") or {},
                "due_at": row["due_at"],
            }
            for row in rows
        ]
        statement = (
            insert(Notification)
            .values(values)
            .on_conflict_do_nothing(index_elements=[Notification.dedup_key])
            .returning(Notification.id)
        )
        return len((await self.session.execute(statement)).all())

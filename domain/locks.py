"""Named locks held until the transaction ends (Postgres advisory locks)."""

from __future__ import annotations

from sqlalchemy import text

from domain.uow import Transaction

_HOLD = text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))")


async def hold(tx: Transaction, name: str) -> None:
    """Wait for, then hold, the lock `name` until the current transaction commits or rolls back."""
    await tx.session.execute(_HOLD, {"name": name})

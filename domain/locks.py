"""Named locks held until the transaction ends (Postgres advisory locks)."""

from __future__ import annotations

from domain.repositories.locks import hold_lock
from domain.uow import Transaction


async def hold(tx: Transaction, name: str) -> None:
    """Wait for, then hold, the lock `name` until the current transaction commits or rolls back."""
    await hold_lock(tx.session, name)

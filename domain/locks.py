"""Named locks held until the transaction ends (Postgres advisory locks)."""

from __future__ import annotations

from domain.repositories.locks import hold_lock, try_hold_lock
from domain.uow import Transaction


async def hold(tx: Transaction, name: str) -> None:
    """Wait for, then hold, the lock `name` until the current transaction commits or rolls back."""
    await hold_lock(tx.session, name)


async def try_hold(tx: Transaction, name: str) -> bool:
    """Hold the lock `name` until the transaction ends, unless another holds it (then False)."""
    return await try_hold_lock(tx.session, name)

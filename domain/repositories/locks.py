"""Named locks held until the transaction ends (Postgres advisory locks)."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

_HOLD = text("SELECT pg_advisory_xact_lock(hashtextextended(:name, 0))")


async def hold_lock(session: AsyncSession, name: str) -> None:
    """Wait for, then hold, the lock `name` until the session's transaction ends."""
    await session.execute(_HOLD, {"name": name})


_TRY = text("SELECT pg_try_advisory_xact_lock(hashtextextended(:name, 0))")


async def try_hold_lock(session: AsyncSession, name: str) -> bool:
    """Hold the lock `name` until the transaction ends if nobody holds it; whether it was free."""
    return bool(await session.scalar(_TRY, {"name": name}))

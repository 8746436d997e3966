"""Audit entries written on their own, outside a feature's transaction."""

from __future__ import annotations

from domain.uow import UnitOfWork


async def record_refusal(uow: UnitOfWork, *, telegram_user_id: int, reason: str, data: str) -> None:
    """Audit a refused button press (forged, stale or forbidden); the user may be unknown."""
    async with uow as tx:
        user = await tx.users.by_telegram_id(telegram_user_id)
        tx.audit.record(
            actor_id=user.id if user else None,
            action="callback.refused",
            entity="callback",
            entity_id=None,
            # JSONB refuses NUL characters; forged data may well contain them.
            details={
                "reason": reason,
                "data": data.replace("\x00", "\\0"),
                "telegram_user_id": telegram_user_id,
            },
        )
        await tx.commit()

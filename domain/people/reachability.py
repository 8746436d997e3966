"""People as the bot reaches them: whether a Telegram user can still be written to."""

from __future__ import annotations

from domain.models import UserStatus
from domain.uow import UnitOfWork


async def mark_unreachable(uow: UnitOfWork, *, telegram_user_id: int) -> bool:
    """Record that this Telegram user blocked the bot; False if no user has that account."""
    async with uow as tx:
        user = await tx.users.by_telegram_id(telegram_user_id)
        if user is None:
            return False
        # Senders skip a blocked person instead of failing again; a suspension outranks it.
        if user.status != UserStatus.SUSPENDED:
            user.status = UserStatus.BLOCKED
        await tx.commit()
    return True

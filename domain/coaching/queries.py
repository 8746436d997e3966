"""Every SQL statement of the coaching capability: a user's coach profile, the profiles waiting
for verification and who reviews them."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import Row, or_, select

from domain.models import Coach, Role, User
from domain.uow import Transaction


async def coach_of_user(tx: Transaction, user_id: uuid.UUID) -> Coach | None:
    """The coach profile of a user, if they have one."""
    return await tx.session.scalar(select(Coach).where(Coach.user_id == user_id))


async def submitted_unverified(tx: Transaction) -> Sequence[Row[tuple[Coach, User]]]:
    """(coach, user) of profiles submitted and not verified yet, oldest submission first."""
    submitted_at = Coach.verification_documents["submitted_at"].astext
    query = (
        select(Coach, User)
        .join(User, User.id == Coach.user_id)
        .where(submitted_at.is_not(None), User.verification_status.is_not(True))
        .order_by(submitted_at)
    )
    return (await tx.session.execute(query)).all()


async def admins(tx: Transaction, admin_telegram_ids: Collection[int]) -> Sequence[User]:
    """Users with the admin role or one of these Telegram accounts."""
    query = select(User).where(
        or_(User.role == Role.ADMIN, User.telegram_user_id.in_(list(admin_telegram_ids)))
    )
    return (await tx.session.scalars(query)).all()

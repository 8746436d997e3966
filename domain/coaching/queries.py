"""Every SQL statement of the coaching capability: a user's coach profile, the profiles waiting
for verification and who reviews them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import Row, select

from domain.models import Admin, Coach, User
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


async def admins(tx: Transaction) -> Sequence[User]:
    """The users who are admins (rows of `admins`)."""
    query = select(User).join(Admin, Admin.user_id == User.id)
    return (await tx.session.scalars(query)).all()

"""Users, athletes and coaches."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select

from domain.models import Athlete, Coach, User
from domain.repositories.base import Repository


class UserRepository(Repository[User]):
    """Users, found by id or by their Telegram account."""

    model = User

    async def by_telegram_id(self, telegram_user_id: int) -> User | None:
        """The user behind a Telegram account, if registered."""
        query = select(User).where(User.telegram_user_id == telegram_user_id)
        return (await self.session.execute(query)).scalar_one_or_none()


class AthleteRepository(Repository[Athlete]):
    """Athlete profiles, including children managed by a parent."""

    model = Athlete

    async def for_user(self, user_id: uuid.UUID) -> Athlete | None:
        """The athlete profile of a user, if they have one."""
        query = select(Athlete).where(Athlete.user_id == user_id)
        return (await self.session.execute(query)).scalar_one_or_none()

    async def children_of(self, parent_id: uuid.UUID) -> Sequence[Athlete]:
        """Every athlete whose guardian is this user."""
        query = select(Athlete).where(Athlete.parent_id == parent_id).order_by(Athlete.created_at)
        return (await self.session.execute(query)).scalars().all()


class CoachRepository(Repository[Coach]):
    """Coach profiles by id; queries over them are `domain.coaching.queries`."""

    model = Coach

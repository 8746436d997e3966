"""Users, athletes and coaches."""

from __future__ import annotations

from sqlalchemy import bindparam, select

from domain.models import Athlete, Coach, User
from domain.repositories.base import Repository

# Built once: building the expression again on every call cost as much Python as running it.
_BY_TELEGRAM = select(User).where(User.telegram_user_id == bindparam("telegram_user_id"))


class UserRepository(Repository[User]):
    """Users, found by id or by their Telegram account."""

    model = User

    async def by_telegram_id(self, telegram_user_id: int) -> User | None:
        """The user behind a Telegram account, if registered."""
        found = await self.session.execute(_BY_TELEGRAM, {"telegram_user_id": telegram_user_id})
        return found.scalar_one_or_none()


class AthleteRepository(Repository[Athlete]):
    """Athlete profiles by id, including children managed by a parent; queries over them are
    `domain.people.queries`."""

    model = Athlete


class CoachRepository(Repository[Coach]):
    """Coach profiles by id; queries over them are `domain.coaching.queries`."""

    model = Coach

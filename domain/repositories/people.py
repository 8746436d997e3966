"""Users, athletes and coaches."""

from __future__ import annotations

import uuid

from sqlalchemy import bindparam, delete, exists, select
from sqlalchemy.exc import DBAPIError

from domain.errors import from_integrity_error
from domain.models import Admin, Athlete, Coach, User
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


class AdminRepository(Repository[Admin]):
    """Who is an admin: rows of `admins` by user id. The database refuses to remove the last
    one (trigger `admins_keep_one`, raised as domain.errors.LastAdmin)."""

    model = Admin

    async def any(self) -> bool:
        """Whether anyone is an admin."""
        return bool(await self.session.scalar(select(exists().where(Admin.user_id.is_not(None)))))

    async def remove(self, user_id: uuid.UUID) -> int:
        """Take the admin rights of this user away; how many rows went (0 or 1). LastAdmin if
        nobody would be left (the trigger fires with the statement, not at commit)."""
        try:
            result = await self.session.execute(delete(Admin).where(Admin.user_id == user_id))
        except DBAPIError as err:
            mapped = from_integrity_error(err)
            if mapped is None:
                raise
            raise mapped from err
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


class AthleteRepository(Repository[Athlete]):
    """Athlete profiles by id, including children managed by a parent; queries over them are
    `domain.people.queries`."""

    model = Athlete


class CoachRepository(Repository[Coach]):
    """Coach profiles by id; queries over them are `domain.coaching.queries`."""

    model = Coach

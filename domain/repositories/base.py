"""What every repository can do: fetch by id, add."""

from __future__ import annotations

import uuid
from typing import ClassVar, Generic, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from domain.errors import NotFound
from domain.models import Base

M = TypeVar("M", bound=Base)


class Repository(Generic[M]):
    """Data access for one aggregate, bound to one transaction's session."""

    model: ClassVar[type[Base]]

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def find(self, id_: uuid.UUID) -> M | None:
        """The row with this id, or None."""
        return await self.session.get(self.model, id_)  # type: ignore[return-value]

    async def get(self, id_: uuid.UUID) -> M:
        """The row with this id; NotFound if there is none."""
        found = await self.find(id_)
        if found is None:
            raise NotFound(f"{self.model.__tablename__} {id_}")
        return found

    def add(self, obj: M) -> M:
        """Stage a new row; it is written on the next flush or commit."""
        self.session.add(obj)
        return obj

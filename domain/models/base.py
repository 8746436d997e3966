"""Declarative base and the column shapes every table of the spec repeats."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime
from enum import StrEnum
from typing import Annotated

from sqlalchemy import DateTime, MetaData, func, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import DeclarativeBase, mapped_column

# Deterministic constraint names keep autogenerate diffs and migrations stable.
NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def one_of(column: str, values: Iterable[StrEnum]) -> str:
    """A clause allowing exactly these values (an enum's, say): "status IN ('a', 'b')"."""
    return f"{column} IN ({', '.join(repr(v.value) for v in values)})"


class Base(DeclarativeBase):
    """Base of every SportsCenter table."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


UuidPk = Annotated[
    uuid.UUID,
    mapped_column(
        UUID(as_uuid=True),
        primary_key=True,
        default=uuid.uuid4,
        server_default=text("uuid_generate_v4()"),
    ),
]


def utcnow() -> datetime:
    """Now, as the ORM stamps new rows."""
    return datetime.now(UTC)


# Stamped in Python for rows the ORM inserts (so the INSERT needs no RETURNING to learn them),
# by the server default for rows inserted otherwise.
CreatedAt = Annotated[
    datetime | None,
    mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.current_timestamp()),
]
# The set_updated_at trigger keeps this current on every UPDATE, including raw SQL ones.
UpdatedAt = Annotated[
    datetime | None,
    mapped_column(DateTime(timezone=True), default=utcnow, server_default=func.current_timestamp()),
]
Timestamp = Annotated[datetime, mapped_column(DateTime(timezone=True))]

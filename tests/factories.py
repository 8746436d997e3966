"""Small builders for rows the tests need, with sensible defaults."""

from __future__ import annotations

import itertools
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from domain.models import Athlete, Coach, TrainingSession, User
from domain.uow import UnitOfWork

_telegram_ids = itertools.count(10_000)
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def coach_and_athlete(uow: UnitOfWork) -> tuple[Coach, Athlete]:
    """A committed coach and athlete, each with their user row."""
    async with uow as tx:
        coach_user = tx.users.add(
            User(role="coach", first_name="Cora", telegram_user_id=next(_telegram_ids))
        )
        athlete_user = tx.users.add(
            User(role="athlete", first_name="Ari", telegram_user_id=next(_telegram_ids))
        )
        await tx.flush()
        coach = tx.coaches.add(Coach(user_id=coach_user.id, specializations=["sprint"]))
        athlete = tx.athletes.add(Athlete(user_id=athlete_user.id, primary_sport="athletics"))
        await tx.commit()
    return coach, athlete


def session_at(
    coach: Coach, athlete: Athlete, start: datetime, minutes: int = 60, **extra: object
) -> TrainingSession:
    """An unsaved individual session of `minutes` starting at `start`."""
    return TrainingSession(
        coach_id=coach.id,
        athlete_id=athlete.id,
        session_type="individual",
        start_time=start,
        end_time=start + timedelta(minutes=minutes),
        **extra,
    )


def tiny_png(width: int = 4, height: int = 3, rgb: tuple[int, int, int] = (230, 120, 40)) -> bytes:
    """A valid RGB PNG of one colour, for uploads."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + bytes(rgb) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


# A Monday; the default coach below works Mondays to Fridays 16:00-20:00 in Berlin.
BOOKING_NOW = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)
WEEKDAY_EVENINGS = {day: ["16:00-20:00"] for day in ("mon", "tue", "wed", "thu", "fri")}


@dataclass
class BookingWorld:
    """A verified coach with rules, a parent with a child, and a second family."""

    coach: Coach
    coach_user: User
    parent: User
    child: Athlete
    child_user: User
    other_parent: User
    other_child: Athlete


async def booking_world(
    uow: UnitOfWork,
    *,
    rules: dict[str, Any] | None = None,
    rate: str | None = "40.00",
    verified: bool = True,
    telegram_ids: Iterator[int] | None = None,
) -> BookingWorld:
    """Commit a coach (Europe/Berlin evenings unless `rules` says otherwise) and two families."""
    ids = telegram_ids or _telegram_ids
    rules = {"timezone": "Europe/Berlin", "weekly": WEEKDAY_EVENINGS, **(rules or {})}
    async with uow as tx:
        coach_user = tx.users.add(
            User(
                role="coach",
                first_name="Cora",
                last_name="Klein",
                telegram_user_id=next(ids),
                verification_status=verified,
                timezone="Europe/Berlin",
            )
        )
        parent = tx.users.add(
            User(role="parent", first_name="Pia", telegram_user_id=next(ids), timezone="UTC")
        )
        child_user = tx.users.add(User(role="athlete", first_name="Kim"))
        other_parent = tx.users.add(
            User(role="parent", first_name="Omar", telegram_user_id=next(ids))
        )
        other_child_user = tx.users.add(User(role="athlete", first_name="Lea"))
        await tx.flush()
        coach = tx.coaches.add(
            Coach(
                user_id=coach_user.id,
                specializations=["tennis"],
                hourly_rate=Decimal(rate) if rate else None,
                availability=rules,
                bio="Tennis for juniors.",
            )
        )
        child = tx.athletes.add(
            Athlete(user_id=child_user.id, parent_id=parent.id, primary_sport="tennis")
        )
        other_child = tx.athletes.add(
            Athlete(user_id=other_child_user.id, parent_id=other_parent.id, primary_sport="tennis")
        )
        await tx.commit()
    return BookingWorld(coach, coach_user, parent, child, child_user, other_parent, other_child)

"""Small builders for rows the tests need, with sensible defaults."""

from __future__ import annotations

import itertools
import struct
import zlib
from datetime import UTC, datetime, timedelta

from domain.models import Athlete, Coach, TrainingSession, User
from domain.uow import UnitOfWork

_telegram_ids = itertools.count(10_000)
T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


async def coach_and_athlete(uow: UnitOfWork) -> tuple[Coach, Athlete]:
    """A committed coach and athlete, each with their user row."""
    async with uow:
        coach_user = uow.users.add(
            User(role="coach", first_name="Cora", telegram_user_id=next(_telegram_ids))
        )
        athlete_user = uow.users.add(
            User(role="athlete", first_name="Ari", telegram_user_id=next(_telegram_ids))
        )
        await uow.flush()
        coach = uow.coaches.add(Coach(user_id=coach_user.id, specializations=["sprint"]))
        athlete = uow.athletes.add(Athlete(user_id=athlete_user.id, primary_sport="athletics"))
        await uow.commit()
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

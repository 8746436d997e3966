"""Small builders for rows the tests need, with sensible defaults."""

from __future__ import annotations

import itertools
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

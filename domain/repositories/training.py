"""Training sessions, programs, nutrition plans, videos and payments."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from domain.models import (
    NutritionPlan,
    Payment,
    SessionStatus,
    TrainingProgram,
    TrainingSession,
    VideoAnalysis,
)
from domain.repositories.base import Repository


class SessionRepository(Repository[TrainingSession]):
    """Training sessions; the no-overlap rule itself lives in the database."""

    model = TrainingSession

    async def busy_intervals(
        self,
        coach_id: uuid.UUID,
        start: datetime,
        end: datetime,
        *,
        excluding: uuid.UUID | None = None,
    ) -> list[tuple[datetime, datetime]]:
        """(start, end) of the coach's live sessions overlapping [start, end), in time order;
        `excluding` one session (the one being moved, whose own time does not block it)."""
        query = select(TrainingSession.start_time, TrainingSession.end_time).where(
            *_live_overlapping(coach_id, start, end)
        )
        if excluding is not None:
            query = query.where(TrainingSession.id != excluding)
        rows = await self.session.execute(query.order_by(TrainingSession.start_time))
        return [(row[0], row[1]) for row in rows]

    async def for_athlete_between(
        self, athlete_id: uuid.UUID, start: datetime, end: datetime
    ) -> Sequence[TrainingSession]:
        """An athlete's sessions starting in [start, end), in time order."""
        query = (
            select(TrainingSession)
            .where(
                TrainingSession.athlete_id == athlete_id,
                TrainingSession.start_time >= start,
                TrainingSession.start_time < end,
            )
            .order_by(TrainingSession.start_time)
        )
        return (await self.session.execute(query)).scalars().all()


def _live_overlapping(coach_id: uuid.UUID, start: datetime, end: datetime) -> tuple[Any, ...]:
    """A coach's live sessions overlapping [start, end): what the exclusion constraint's GiST
    index (coach_id, tstzrange) answers."""
    span = func.tstzrange(TrainingSession.start_time, TrainingSession.end_time, "[)")
    return (
        TrainingSession.coach_id == coach_id,
        TrainingSession.status != SessionStatus.CANCELLED,
        span.op("&&")(func.tstzrange(start, end, "[)")),
    )


class ProgramRepository(Repository[TrainingProgram]):
    """Coaches' training programs."""

    model = TrainingProgram


class NutritionPlanRepository(Repository[NutritionPlan]):
    """Athletes' nutrition plans."""

    model = NutritionPlan


class VideoRepository(Repository[VideoAnalysis]):
    """Uploaded videos and their analysis."""

    model = VideoAnalysis


class PaymentRepository(Repository[Payment]):
    """Payments for sessions and programs."""

    model = Payment

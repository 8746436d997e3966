"""Performance metrics, by their composite key (id, recorded_at)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from domain.models import PerformanceMetric


class MetricRepository:
    """Metrics staged and fetched by key; queries over them are `domain.metrics.queries`."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def add(self, metric: PerformanceMetric) -> PerformanceMetric:
        """Stage a new metric; Postgres routes it to its month's partition."""
        self.session.add(metric)
        return metric

    async def by_id(self, id_: uuid.UUID, recorded_at: datetime) -> PerformanceMetric | None:
        """One metric by its composite key."""
        return await self.session.get(PerformanceMetric, (id_, recorded_at))

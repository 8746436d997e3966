"""Monthly partitions of performance_metrics, created ahead of the rows that need them."""

from __future__ import annotations

from datetime import date

from domain.metrics.queries.partitions import ensure_partitions
from domain.uow import UnitOfWork


async def ensure_metric_partitions(
    uow: UnitOfWork, *, months_ahead: int = 3, today: date | None = None
) -> list[str]:
    """Create the coming months' partitions (and rescue parked rows); the names created."""
    async with uow as tx:
        created = await ensure_partitions(tx, today=today, months_ahead=months_ahead)
        await tx.commit()
    return created

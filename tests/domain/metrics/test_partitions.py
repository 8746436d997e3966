"""performance_metrics is range-partitioned by month; rows land in their month's partition."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

from sqlalchemy import text

from domain.metrics.queries.partitions import add_months, ensure_partitions, partition_name
from domain.metrics.queries.results import points
from domain.models import PerformanceMetric
from domain.uow import UnitOfWork
from tests.factories import coach_and_athlete


async def partition_of(uow: UnitOfWork, metric: PerformanceMetric) -> str:
    async with uow as tx:
        return await tx.session.scalar(
            text("SELECT tableoid::regclass::text FROM performance_metrics WHERE id = :id"),
            {"id": metric.id},
        )


async def log_metric(uow: UnitOfWork, athlete_id, at: datetime) -> PerformanceMetric:
    async with uow as tx:
        metric = tx.metrics.add(
            PerformanceMetric(
                athlete_id=athlete_id,
                metric_type="sprint_40m",
                value={"s": 5.12},
                metric_value=Decimal("5.12"),
                recorded_at=at,
            )
        )
        await tx.commit()
    return metric


def test_add_months_rolls_over_years() -> None:
    assert add_months(date(2026, 11, 1), 3) == date(2027, 2, 1)
    assert add_months(date(2026, 1, 1), -1) == date(2025, 12, 1)
    assert partition_name(date(2027, 2, 1)) == "performance_metrics_y2027m02"


async def test_a_metric_lands_in_the_partition_of_its_month(uow: UnitOfWork) -> None:
    _, athlete = await coach_and_athlete(uow)
    async with uow as tx:
        await ensure_partitions(tx, today=date(2026, 11, 15), months_ahead=1)
        await tx.commit()
    metric = await log_metric(uow, athlete.id, datetime(2026, 12, 31, 23, 59, tzinfo=UTC))
    assert await partition_of(uow, metric) == "performance_metrics_y2026m12"


async def test_a_month_without_partition_parks_in_default_and_is_moved_out_later(
    uow: UnitOfWork,
) -> None:
    _, athlete = await coach_and_athlete(uow)
    metric = await log_metric(uow, athlete.id, datetime(2031, 5, 2, tzinfo=UTC))
    assert await partition_of(uow, metric) == "performance_metrics_default"
    async with uow as tx:
        created = await ensure_partitions(tx, months_ahead=0)
        await tx.commit()
    assert "performance_metrics_y2031m05" in created
    assert await partition_of(uow, metric) == "performance_metrics_y2031m05"


async def test_ensure_partitions_creates_months_ahead_once(uow: UnitOfWork) -> None:
    async with uow as tx:
        first = await ensure_partitions(tx, today=date(2035, 1, 10), months_ahead=2)
        again = await ensure_partitions(tx, today=date(2035, 1, 10), months_ahead=2)
        await tx.commit()
    assert first == [
        "performance_metrics_y2035m01",
        "performance_metrics_y2035m02",
        "performance_metrics_y2035m03",
    ]
    assert again == []


async def test_a_range_query_scans_only_the_partitions_it_needs(uow: UnitOfWork) -> None:
    _, athlete = await coach_and_athlete(uow)
    async with uow as tx:
        await ensure_partitions(tx, today=date(2026, 11, 1), months_ahead=3)
        plan = "\n".join(
            row[0]
            for row in await tx.session.execute(
                text(
                    "EXPLAIN SELECT * FROM performance_metrics WHERE athlete_id = :a "
                    "AND recorded_at >= '2026-12-01 00:00+00' "
                    "AND recorded_at < '2027-01-01 00:00+00'"
                ),
                {"a": athlete.id},
            )
        )
        await tx.commit()
    assert "performance_metrics_y2026m12" in plan
    assert "performance_metrics_y2026m11" not in plan
    assert "performance_metrics_y2027m01" not in plan
    assert "performance_metrics_default" not in plan


async def test_points_read_across_partitions_in_time_order(uow: UnitOfWork) -> None:
    _, athlete = await coach_and_athlete(uow)
    async with uow as tx:
        await ensure_partitions(tx, today=date(2026, 11, 1), months_ahead=2)
        await tx.commit()
    times = [
        datetime(2027, 1, 3, tzinfo=UTC),
        datetime(2026, 11, 20, tzinfo=UTC),
        datetime(2026, 12, 5, tzinfo=UTC),
    ]
    for at in times:
        await log_metric(uow, athlete.id, at)
    async with uow as tx:
        found = await points(
            tx,
            athlete.id,
            "sprint_40m",
            datetime(2026, 11, 1, tzinfo=UTC),
            datetime(2027, 2, 1, tzinfo=UTC),
        )
    assert [at for at, _ in found] == sorted(times)

"""A chart's range query reads only the monthly partitions its range overlaps (EXPLAIN says so).

Checked twice: with the bounds known when planning (a custom plan, pruned by the planner) and
as a generic plan of a prepared statement, which asyncpg's statement cache ends up running and
where partitions are pruned when the plan starts (the others are counted as "Subplans Removed").
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Select, text

from domain.metrics.queries.partitions import ensure_partitions
from domain.metrics.queries.results import points_query
from domain.models import PerformanceMetric
from domain.uow import Transaction, UnitOfWork
from tests.factories import coach_and_athlete

MONTHS = [date(2027, 3, 1), date(2027, 4, 1), date(2027, 5, 1)]
APRIL = "performance_metrics_y2027m04"
Plan = dict[str, Any]


def nodes(plan: Plan) -> Iterator[Plan]:
    yield plan
    for child in plan.get("Plans", []):
        yield from nodes(child)


def relations(plan: Plan) -> set[str]:
    return {node["Relation Name"] for node in nodes(plan) if "Relation Name" in node}


async def explain(tx: Transaction, query: Select[Any], *, generic: bool = False) -> Plan:
    """The plan of `query` run as the app runs it: through asyncpg, with bound parameters.

    `generic`: the plan a prepared statement settles on after a few runs, made for any values.
    """
    connection = await tx.session.connection()
    compiled = query.compile(dialect=connection.dialect)
    params = [compiled.params[name] for name in compiled.positiontup or ()]
    driver = (await connection.get_raw_connection()).driver_connection
    if not generic:
        raw = await driver.fetchval(f"EXPLAIN (FORMAT JSON) {compiled}", *params)
    else:
        # Through the session, so it opens the transaction SET LOCAL lasts for.
        await tx.session.execute(text("SET LOCAL plan_cache_mode = force_generic_plan"))
        await driver.execute(f"PREPARE range_query AS {compiled}")
        # EXECUTE takes no bound parameters; these values are the test's own, safe to inline.
        values = ", ".join(f"'{_literal(value)}'" for value in params)
        raw = await driver.fetchval(f"EXPLAIN (FORMAT JSON) EXECUTE range_query({values})")
        await driver.execute("DEALLOCATE range_query")
    return (json.loads(raw) if isinstance(raw, str) else raw)[0]["Plan"]


def _literal(value: object) -> str:
    return value.isoformat() if isinstance(value, datetime) else str(value)


async def three_months_of_data(uow: UnitOfWork) -> uuid.UUID:
    _, athlete = await coach_and_athlete(uow)
    async with uow as tx:
        await ensure_partitions(tx, today=MONTHS[0], months_ahead=2)
        for month in MONTHS:
            for day in (1, 15, 28):
                tx.metrics.add(
                    PerformanceMetric(
                        athlete_id=athlete.id,
                        metric_type="sprint_40m",
                        value={"value": "5.1", "unit": "s"},
                        metric_value=Decimal("5.1"),
                        unit="s",
                        recorded_at=datetime(month.year, month.month, day, 12, tzinfo=UTC),
                    )
                )
        await tx.commit()
    return athlete.id


APRIL_RANGE = (datetime(2027, 4, 1, tzinfo=UTC), datetime(2027, 5, 1, tzinfo=UTC))


async def test_a_one_month_range_reads_only_that_months_partition(uow: UnitOfWork) -> None:
    athlete_id = await three_months_of_data(uow)
    query = points_query(athlete_id, "sprint_40m", *APRIL_RANGE)
    async with uow as tx:
        rows = (await tx.session.execute(query)).all()
        plan = await explain(tx, query)

    assert relations(plan) == {APRIL}
    assert len(rows) == 3


async def test_a_prepared_range_query_prunes_the_other_months_when_it_starts(
    uow: UnitOfWork,
) -> None:
    athlete_id = await three_months_of_data(uow)
    query = points_query(athlete_id, "sprint_40m", *APRIL_RANGE)
    async with uow as tx:
        plan = await explain(tx, query, generic=True)
        print(json.dumps(plan, indent=1))
        print(await tx.session.scalar(text("show server_version")))

    assert relations(plan) == {APRIL}
    # The generic plan knows every partition, and drops all but April's when it starts.
    removed = sum(node.get("Subplans Removed", 0) for node in nodes(plan))
    assert removed >= 2

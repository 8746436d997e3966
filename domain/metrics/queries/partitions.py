"""The monthly partitions of performance_metrics: which exist, and creating the missing ones."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import text

from domain.models import METRICS_TABLE
from domain.uow import Transaction

DEFAULT_PARTITION = f"{METRICS_TABLE}_default"
# Serialises partition maintenance across bot processes (any constant shared by all).
PARTITION_LOCK_ID = 0x5C0_4E7C


def month_start(day: date) -> date:
    """The first day of the month containing `day`."""
    return day.replace(day=1)


def add_months(first_of_month: date, months: int) -> date:
    """The first day of the month `months` after (or before) the given one."""
    index = first_of_month.year * 12 + first_of_month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def partition_name(first_of_month: date) -> str:
    """The partition holding that month, e.g. performance_metrics_y2026m11."""
    return f"{METRICS_TABLE}_y{first_of_month.year:04d}m{first_of_month.month:02d}"


async def ensure_partitions(
    tx: Transaction, *, today: date | None = None, months_ahead: int = 3
) -> list[str]:
    """Create monthly partitions through `months_ahead`, rescuing rows parked in default."""
    await tx.session.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": PARTITION_LOCK_ID})
    current = month_start(today or datetime.now(UTC).date())
    wanted = {add_months(current, offset) for offset in range(months_ahead + 1)}
    wanted |= await _months_parked_in_default(tx)
    existing = await existing_partitions(tx)
    created = []
    for first in sorted(wanted):
        name = partition_name(first)
        if name not in existing:
            await create_partition(tx, first, name)
            created.append(name)
    return created


async def _months_parked_in_default(tx: Transaction) -> set[date]:
    rows = await tx.session.execute(
        text(
            f"SELECT DISTINCT date_trunc('month', recorded_at AT TIME ZONE 'UTC')::date "
            f"FROM {DEFAULT_PARTITION}"
        )
    )
    return {row[0] for row in rows}


async def existing_partitions(tx: Transaction) -> set[str]:
    """Names of the partitions performance_metrics has now."""
    rows = await tx.session.execute(
        text(
            "SELECT c.relname FROM pg_inherits i "
            "JOIN pg_class c ON c.oid = i.inhrelid "
            "JOIN pg_class p ON p.oid = i.inhparent WHERE p.relname = :parent"
        ),
        {"parent": METRICS_TABLE},
    )
    return {row[0] for row in rows}


async def create_partition(tx: Transaction, first: date, name: str) -> None:
    """Create and attach the month's partition, moving in its rows parked in default."""
    # Rows already in the default partition for this month would block a plain
    # CREATE ... PARTITION OF, so build the table, move them in, then attach it.
    lower, upper = (
        f"{first.isoformat()} 00:00:00+00",
        f"{add_months(first, 1).isoformat()} 00:00:00+00",
    )
    await tx.session.execute(
        text(f"CREATE TABLE {name} (LIKE {METRICS_TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
    )
    await tx.session.execute(
        text(
            f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} "
            f"WHERE recorded_at >= '{lower}' AND recorded_at < '{upper}' RETURNING *) "
            f"INSERT INTO {name} SELECT * FROM moved"
        )
    )
    await tx.session.execute(
        text(
            f"ALTER TABLE {METRICS_TABLE} ATTACH PARTITION {name} "
            f"FOR VALUES FROM ('{lower}') TO ('{upper}')"
        )
    )

"""Months of performance_metrics detached into gzipped CSV files in storage, and back."""

from __future__ import annotations

import gzip
import io
import re
from datetime import date, datetime, timedelta

from domain.adapters.storage import MediaStorage, metrics_archive_key
from domain.metrics.queries.partitions import (
    create_partition,
    existing_partitions,
    partition_name,
)
from domain.models import METRICS_TABLE, MetricArchive
from domain.retention.queries import detach_and_drop, hold_partition_maintenance
from domain.uow import Transaction, UnitOfWork

# A month brought back by `sportscenter restore-metrics` stays attached this long before the
# retention job archives it again.
RESTORED_KEEP = timedelta(days=30)
_MONTHLY = re.compile(rf"^{METRICS_TABLE}_y(\d{{4}})m(\d{{2}})$")
_MONTH_ARGUMENT = re.compile(r"^(\d{4})-(\d{2})$")


class MetricArchiveMissing(LookupError):
    """No archive is kept for the month asked for."""


def month_of(partition: str) -> date | None:
    """The first day of a monthly partition's month; None for any other table."""
    match = _MONTHLY.match(partition)
    return date(int(match[1]), int(match[2]), 1) if match else None


def partition_named(argument: str) -> str:
    """The partition a restore asks for: `2024-01` or `performance_metrics_y2024m01`."""
    if match := _MONTH_ARGUMENT.match(argument.strip()):
        return partition_name(date(int(match[1]), int(match[2]), 1))
    if month_of(argument.strip()) is None:
        raise ValueError(f"{argument!r} is neither YYYY-MM nor a monthly partition's name")
    return argument.strip()


async def archive_metric_months(
    uow: UnitOfWork, storage: MediaStorage, *, before: date, now: datetime
) -> list[str]:
    """Detach and archive the monthly partitions of months starting before `before`."""
    archived = []
    async with uow as tx:
        candidates = sorted(
            name for name in await existing_partitions(tx) if (month_of(name) or before) < before
        )
    for name in candidates:
        if await _archive_one(uow, storage, name, now=now):
            archived.append(name)
    return archived


async def _archive_one(uow: UnitOfWork, storage: MediaStorage, name: str, *, now: datetime) -> bool:
    async with uow as tx:
        # Partition maintenance (creating months ahead) waits meanwhile, whatever the process.
        await hold_partition_maintenance(tx)
        if name not in await existing_partitions(tx):
            return False  # another run archived it first
        record = await tx.session.get(MetricArchive, name)
        if record is not None and record.restored_at is not None:
            if now - record.restored_at < RESTORED_KEEP:
                return False
        elif record is not None:
            # Rows logged for this month after it was archived brought the partition back:
            # the archive's rows join them, so the new file holds both.
            await _load(tx, name, await storage.read_bytes(record.storage_key))
        data, rows = await _export(tx, name)
        key = metrics_archive_key(name)
        await storage.put(key, data, content_type="application/gzip")
        await detach_and_drop(tx, name)
        if record is None:
            tx.session.add(
                MetricArchive(partition_name=name, storage_key=key, row_count=rows, archived_at=now)
            )
        else:
            record.storage_key, record.row_count = key, rows
            record.archived_at, record.restored_at = now, None
        await tx.commit()
    return True


async def restore_metric_month(
    uow: UnitOfWork, storage: MediaStorage, month: str, *, now: datetime
) -> int:
    """Attach an archived month again with its rows; how many rows (0: it was already back)."""
    name = partition_named(month)
    async with uow as tx:
        await hold_partition_maintenance(tx)
        record = await tx.session.get(MetricArchive, name)
        if record is None:
            raise MetricArchiveMissing(name)
        if name in await existing_partitions(tx):
            return 0
        first = month_of(name)
        assert first is not None  # partition_named checked the shape
        await create_partition(tx, first, name)
        rows = await _load(tx, name, await storage.read_bytes(record.storage_key))
        record.restored_at = now
        await tx.commit()
    return rows


async def _export(tx: Transaction, name: str) -> tuple[bytes, int]:
    buffer = io.BytesIO()
    conn = await tx.driver_connection()
    status = await conn.copy_from_table(name, output=buffer, format="csv", header=True)
    return gzip.compress(buffer.getvalue()), _copied(status)


async def _load(tx: Transaction, name: str, compressed: bytes) -> int:
    data = gzip.decompress(compressed)
    header, _, body = data.partition(b"\n")
    # Columns by name from the file's own header: columns added since get their defaults.
    columns = [column.strip('"') for column in header.decode().split(",")]
    conn = await tx.driver_connection()
    status = await conn.copy_to_table(name, source=io.BytesIO(body), columns=columns, format="csv")
    return _copied(status)


def _copied(status: str) -> int:
    # asyncpg returns the command tag, "COPY <rows>".
    return int(status.rsplit(" ", 1)[-1])

"""Months of performance_metrics detached into gzipped CSV files in storage, and back."""

from __future__ import annotations

import asyncio
import csv
import gzip
import re
import tempfile
from collections.abc import AsyncIterator
from datetime import date, datetime, timedelta
from pathlib import Path

from domain.adapters.storage import MediaStorage, metrics_archive_key
from domain.adapters.storage.streams import CHUNK_SIZE
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
    with tempfile.TemporaryDirectory(prefix="metrics-archive-") as scratch:
        return await _archive_through(uow, storage, name, now=now, work=Path(scratch))


async def _archive_through(
    uow: UnitOfWork, storage: MediaStorage, name: str, *, now: datetime, work: Path
) -> bool:
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
            await _load(tx, name, storage, record.storage_key, work)
        rows = await _export(tx, name, work / "archive.csv.gz")
        key = metrics_archive_key(name)
        await _upload(storage, key, work / "archive.csv.gz")
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
) -> int | None:
    """Attach an archived month again with its rows; how many (None: it is in the table)."""
    name = partition_named(month)
    async with uow as tx:
        await hold_partition_maintenance(tx)
        record = await tx.session.get(MetricArchive, name)
        if record is None:
            raise MetricArchiveMissing(name)
        if name in await existing_partitions(tx):
            return None
        first = month_of(name)
        assert first is not None  # partition_named checked the shape
        await create_partition(tx, first, name)
        with tempfile.TemporaryDirectory(prefix="metrics-restore-") as scratch:
            rows = await _load(tx, name, storage, record.storage_key, Path(scratch))
        record.restored_at = now
        await tx.commit()
    return rows


async def _export(tx: Transaction, name: str, into: Path) -> int:
    # Streamed through a gzip file: a month of metrics need not fit in memory.
    conn = await tx.driver_connection()
    archive = await asyncio.to_thread(gzip.open, into, "wb")
    try:

        async def write(chunk: bytes) -> None:
            await asyncio.to_thread(archive.write, chunk)

        status = await conn.copy_from_table(name, output=write, format="csv", header=True)
    finally:
        await asyncio.to_thread(archive.close)
    return _copied(status)


async def _load(tx: Transaction, name: str, storage: MediaStorage, key: str, work: Path) -> int:
    path = work / "restore.csv.gz"
    await storage.download_to(key, path)
    archive = await asyncio.to_thread(gzip.open, path, "rb")
    try:
        header = await asyncio.to_thread(archive.readline)
        # Columns by name from the file's own header: columns added since get their defaults.
        (columns,) = csv.reader([header.decode()])

        async def rows() -> AsyncIterator[bytes]:
            while chunk := await asyncio.to_thread(archive.read, CHUNK_SIZE):
                yield chunk

        conn = await tx.driver_connection()
        status = await conn.copy_to_table(name, source=rows(), columns=columns, format="csv")
    finally:
        await asyncio.to_thread(archive.close)
    return _copied(status)


async def _upload(storage: MediaStorage, key: str, path: Path) -> None:
    file = await asyncio.to_thread(path.open, "rb")
    try:
        await storage.put(key, file, content_type="application/gzip")
    finally:
        await asyncio.to_thread(file.close)


def _copied(status: str) -> int:
    # asyncpg returns the command tag, "COPY <rows>".
    return int(status.rsplit(" ", 1)[-1])

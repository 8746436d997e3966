"""An athlete's metrics as a CSV file, for a spreadsheet or another app.

One row per value, oldest first: when it was recorded (ISO 8601 in the reader's own zone, with
its offset), the metric's name, the value in the metric's canonical unit exactly as stored, the
unit, the notes. Text cells that a spreadsheet would run as a formula (=, +, -, @ first) are
quoted with a leading apostrophe: notes and coaches' metric names are typed by other people.
"""

from __future__ import annotations

import uuid

from domain import policy
from domain.adapters.csv_files import csv_bytes
from domain.metrics.catalogue import MetricKind
from domain.metrics.queries.results import all_values
from domain.metrics.queries.types import types_with_keys
from domain.metrics.units import plain_number
from domain.people.queries import timezone_and_units
from domain.policy import Action, Actor, AthleteTarget
from domain.timezones import zone_of
from domain.uow import Transaction, UnitOfWork

HEADER = ("recorded_at", "metric", "value", "unit", "notes")
# What `export_csv` returns for an athlete without values: the header line alone.
EMPTY_EXPORT = (",".join(HEADER) + "\r\n").encode("utf-8")


async def export_csv(uow: UnitOfWork, *, actor: Actor, athlete_id: uuid.UUID) -> bytes:
    """Every value of the athlete as UTF-8 CSV, times in the actor's own time zone."""
    policy.require(actor, Action.VIEW_METRICS, AthleteTarget(athlete_id))
    async with uow as tx:
        timezone, _ = await timezone_and_units(tx, actor.user_id)
        rows = await all_values(tx, athlete_id)
        kinds = await _kinds_by_key(tx, {row.metric_type for row in rows})
    zone = zone_of(timezone or "UTC")
    lines = []
    for row in rows:
        kind = kinds.get(row.metric_type)
        assert row.metric_value is not None
        lines.append(
            (
                row.recorded_at.astimezone(zone).isoformat(timespec="seconds"),
                kind.name if kind else row.metric_type,
                plain_number(row.metric_value),
                row.unit or (kind.unit if kind else ""),
                row.notes or "",
            )
        )
    # The timestamp, number and unit are ours; names and notes are typed: guarded by the writer.
    return csv_bytes(HEADER, lines)


async def _kinds_by_key(tx: Transaction, keys: set[str]) -> dict[str, MetricKind]:
    rows = await types_with_keys(tx, keys)
    # A built-in key comes first; coaches' keys carry the coach's id, so they do not collide.
    by_key: dict[str, MetricKind] = {}
    for row in sorted(rows, key=lambda row: row.coach_id is not None):
        by_key.setdefault(row.key, MetricKind.from_row(row))
    return by_key

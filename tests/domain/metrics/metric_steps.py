"""What the metric tests share: the built-in catalogue, without a database."""

from __future__ import annotations

import importlib.util
import uuid
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from domain.metrics.catalogue import STORED_PLACES, MetricKind
from domain.metrics.units import convert, duration_clock, plain_number

MIGRATION = Path(__file__).parents[3] / "migrations" / "versions" / "0005_metrics.py"


def builtin_kinds() -> list[MetricKind]:
    """The seeded catalogue, read from the migration that seeds it."""
    spec = importlib.util.spec_from_file_location("metrics_migration", MIGRATION)
    assert spec is not None and spec.loader is not None
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    return [
        MetricKind(
            uuid.uuid4(), *row[:6], Decimal(str(row[6])), Decimal(str(row[7])), tuple(row[8]), None
        )
        for row in migration.SEED
    ]


def typed_line(metric: MetricKind, value: Decimal, unit: str, reps: int | None = None) -> str:
    """A line as a person would type it that reads back as this metric, value (to the stored
    precision) and reps: the fewest decimals that still do, a clock for long times."""
    target = _stored(convert(value, unit, metric.unit))
    amount = next(
        candidate
        for places in range(0, 29)
        if _stored(convert(candidate := _rounded(value, places), unit, metric.unit)) == target
    )
    if unit == "s" and abs(amount) >= 60:
        typed = duration_clock(amount)
    elif unit == "%":
        typed = f"{plain_number(amount)}%"
    else:
        typed = f"{plain_number(amount)} {unit}"
    return f"{metric.name} {typed}" + (f" x{reps}" if reps is not None else "")


def _stored(value: Decimal) -> Decimal:
    return value.quantize(STORED_PLACES, rounding=ROUND_HALF_UP)


def _rounded(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)

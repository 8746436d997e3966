"""What the metric tests share: the built-in catalogue, without a database."""

from __future__ import annotations

import importlib.util
import uuid
from decimal import Decimal
from pathlib import Path

from domain.metrics.catalogue import MetricKind

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

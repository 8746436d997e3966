"""`sportscenter restore-metrics`: an archived month of metrics back in the table."""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from bot.settings import Settings
from bot.wiring import build_services
from domain.retention import MetricArchiveMissing, restore_metric_month


async def restore_metrics(settings: Settings, month: str) -> int:
    """Restore the month's archive; 0 when its rows are in the table, else a reason on stderr."""
    services = build_services(settings)
    try:
        rows = await restore_metric_month(
            services.uow, services.storage, month, now=datetime.now(UTC)
        )
    except ValueError as err:
        print(f"sportscenter: {err}", file=sys.stderr)
        return 2
    except MetricArchiveMissing as err:
        print(f"sportscenter: no archive of {err.args[0]} is kept", file=sys.stderr)
        return 1
    finally:
        await services.close()
    if rows is None:
        print(f"{month} is already in the table; nothing to restore")
    else:
        print(f"restored {rows} metric rows of {month}")
    return 0

"""Recurring maintenance the running bot does for itself."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy.exc import SQLAlchemyError

from bot.outbox import send_due_notifications

if TYPE_CHECKING:
    from bot.app import BotApplication, BotContext

log = logging.getLogger(__name__)
PARTITION_CHECK_EVERY = timedelta(hours=12)
# How often the outbox is drained: the most a due notification waits before it is sent.
NOTIFICATIONS_EVERY = timedelta(seconds=5)


async def maintain_metric_partitions(context: BotContext) -> None:
    """Keep monthly performance_metrics partitions created ahead of time."""
    try:
        async with context.uow() as uow:
            created = await uow.metrics.ensure_partitions()
            await uow.commit()
    except SQLAlchemyError:
        # The next run retries; rows meanwhile land in the default partition, nothing is lost.
        log.exception("could not check metric partitions")
        return
    if created:
        log.info("created metric partitions: %s", ", ".join(created))


def schedule_maintenance(application: BotApplication) -> None:
    """Register the recurring jobs on the application's job queue."""
    if application.job_queue is None:
        raise RuntimeError("python-telegram-bot[job-queue] is required")
    application.job_queue.run_repeating(
        maintain_metric_partitions,
        interval=PARTITION_CHECK_EVERY,
        first=timedelta(seconds=30),
        name="metric-partitions",
    )
    application.job_queue.run_repeating(
        send_due_notifications,
        interval=NOTIFICATIONS_EVERY,
        first=NOTIFICATIONS_EVERY,
        name="notifications-outbox",
    )

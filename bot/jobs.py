"""Recurring work the running bot does for itself, on PTB's job queue (APScheduler underneath).

Every job reads the time from `utc_now` unless it is given one, so tests run a job at any
frozen moment by passing `now`, without waiting for the scheduler.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.triggers.cron import CronTrigger
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError

from bot.outbox import send_due_notifications
from domain.adapters.storage import StorageError
from domain.booking.waitlist import offer_free_places
from domain.clubs.packs.fees import queue_due as queue_due_fees
from domain.clubs.series.rsvp import queue_due as queue_due_rsvps
from domain.metrics.partitions import ensure_metric_partitions
from domain.metrics.weekly_summaries import queue_weekly_summaries
from domain.notifications.digests import queue_digests
from domain.notifications.reminders import plan_upcoming
from domain.nutrition.days import queue_due_days as queue_plan_days
from domain.nutrition.weeks import queue_weekly as queue_nutrition_weeks
from domain.payments.release import release_unpaid
from domain.privacy.erasure import erase_due
from domain.programs.following.adherence import queue_weekly_digests
from domain.programs.following.days import queue_due_days
from domain.retention import apply_retention
from domain.videos.uploads import requeue_stale_uploads

if TYPE_CHECKING:
    from bot.app import BotApplication, BotContext

log = logging.getLogger(__name__)
PARTITION_CHECK_EVERY = timedelta(hours=12)
# How often the outbox is drained: the most a due notification waits before it is sent.
NOTIFICATIONS_EVERY = timedelta(seconds=5)
# Bookings plan their own reminders; this only catches what they missed, so it can be unhurried.
REMINDER_PLANNING_EVERY = timedelta(minutes=10)
# A released slot is bookable again: the sooner after its deadline, the more use it is to others.
PAYMENT_RELEASE_EVERY = timedelta(minutes=5)
# An upload whose job was lost (Redis down as it came) waits at most this long plus STALE_UPLOAD.
VIDEO_SWEEP_EVERY = timedelta(minutes=5)
# A grace ends at any minute; an erasure a few minutes after it is still on the day promised.
ERASURE_EVERY = timedelta(minutes=10)
# Retention counts in days and months: a daily run is late by a day at most.
RETENTION_EVERY = timedelta(hours=24)
# APScheduler drops a run that starts more than a second late; a dropped digest run would leave
# the coaches of a whole time zone without their morning list, so a late run still counts.
DIGEST_MISFIRE_GRACE = timedelta(minutes=30)
# Program days are queued a couple of minutes ahead (`domain.programs.following.days`), so a
# run every minute puts each one in the outbox before its time.
PROGRAM_DAYS_EVERY = timedelta(minutes=1)
PROGRAM_DIGESTS_EVERY = timedelta(minutes=15)
# RSVP requests and reminders fall due at any minute (hours before an occurrence's start): a
# run every minute queues each within a minute of its time.
RSVP_EVERY = timedelta(minutes=1)
# A freed place waits at most this long for its offer; an offer expires within this of its time.
WAITLIST_OFFERS_EVERY = timedelta(minutes=1)
# Nutrition plan days and meal reminders, as program days; the week's adherence on Monday.
NUTRITION_DAYS_EVERY = timedelta(minutes=1)
NUTRITION_WEEKS_EVERY = timedelta(minutes=15)
# Team fees are asked for and reminded of by the day: a run every 10 minutes is soon enough.
TEAM_FEES_EVERY = timedelta(minutes=10)
# Database trouble, the server unreachable included (asyncpg raises OSError for that).
DATABASE_ERRORS = (SQLAlchemyError, OSError)


def utc_now() -> datetime:
    """The moment a scheduled job acts at."""
    return datetime.now(UTC)


async def maintain_metric_partitions(context: BotContext) -> None:
    """Keep monthly performance_metrics partitions created ahead of time."""
    try:
        created = await ensure_metric_partitions(context.uow)
    except DATABASE_ERRORS:
        # The next run retries; rows meanwhile land in the default partition, nothing is lost.
        log.exception("could not check metric partitions")
        return
    if created:
        log.info("created metric partitions: %s", ", ".join(created))


async def plan_session_reminders(context: BotContext, now: datetime | None = None) -> None:
    """Job: plan the reminders of the sessions starting within a day that lack them."""
    try:
        queued = await plan_upcoming(context.services.uow, now=now or utc_now())
    except DATABASE_ERRORS:
        # Batches already committed stay planned; the next run does the rest.
        log.exception("could not plan session reminders")
        return
    if queued:
        log.info("planned %d reminders their sessions had not planned", queued)


async def send_coach_digests(context: BotContext, now: datetime | None = None) -> None:
    """Job: queue the morning digest of the coaches for whom it is now 07:00."""
    try:
        queued = await queue_digests(context.services.uow, now=now or utc_now())
    except DATABASE_ERRORS:
        # Nothing was queued; a run later in the same local hour still reaches these coaches.
        log.exception("could not queue coach digests")
        return
    if queued:
        log.info("queued %d coach digests", queued)


async def release_unpaid_sessions(context: BotContext, now: datetime | None = None) -> None:
    """Job: cancel the sessions still unpaid at their payment deadline and tell both sides."""
    try:
        released = await release_unpaid(
            context.services.uow, now=now or utc_now(), slots=context.services.slots
        )
    except DATABASE_ERRORS:
        # Sessions already released stay released; the next run takes the rest.
        log.exception("could not release unpaid sessions")
        return
    if released:
        log.info("released %d sessions unpaid at their deadline", released)


async def send_weekly_summaries(context: BotContext, now: datetime | None = None) -> None:
    """Job: queue last week's summaries for the people for whom it is now Monday 08:00."""
    try:
        queued = await queue_weekly_summaries(context.services.uow, now=now or utc_now())
    except DATABASE_ERRORS:
        # Nothing was queued; the next two hourly runs still reach these people.
        log.exception("could not queue weekly summaries")
        return
    if queued:
        log.info("queued %d weekly summaries", queued)


async def requeue_lost_uploads(context: BotContext, now: datetime | None = None) -> None:
    """Job: queue again the uploaded videos whose processing job never reached a worker."""
    services = context.services
    try:
        await requeue_stale_uploads(services.uow, services.video_queue, now=now or utc_now())
    except (*DATABASE_ERRORS, RedisError):
        log.exception("could not re-queue lost video uploads")


async def erase_people_due(context: BotContext, now: datetime | None = None) -> None:
    """Job: erase the people whose 7-day grace after /deleteme is over (domain.privacy)."""
    services = context.services
    try:
        erased = await erase_due(
            services.uow,
            storage=services.storage,
            refund=services.cancellation_refund,
            slots=services.slots,
            now=now or utc_now(),
        )
    except DATABASE_ERRORS:
        # Each person is one transaction: those done stay done, the next run takes the rest.
        log.exception("could not erase the people due")
        return
    application = context.application
    for person in erased:
        # What the chat layer holds of them (flows under way, user and chat data) goes too.
        for telegram_id in person.telegram_user_ids:
            await application.end_conversations_of(telegram_id)
            application.drop_user_data(telegram_id)
            application.drop_chat_data(telegram_id)  # a private chat's id is the user's
    if erased:
        log.info("erased %d people at their request", len(erased))


async def apply_retention_periods(context: BotContext, now: datetime | None = None) -> None:
    """Job: archive raw videos, delete renditions and archive metric months past retention."""
    services = context.services
    try:
        report = await apply_retention(
            services.uow, services.storage, services.retention, now=now or utc_now()
        )
    except (*DATABASE_ERRORS, StorageError):
        # Each batch and month commits on its own: the next run takes up what is left.
        log.exception("could not apply retention")
        return
    if report is None:
        log.info("retention: another replica is applying it")
        return
    log.info(
        "retention: %d raw videos archived, %d renditions deleted, metric months archived: %s",
        report.raw_videos_archived,
        report.renditions_deleted,
        ", ".join(report.metric_months_archived) or "none",
    )


async def queue_program_days(context: BotContext, now: datetime | None = None) -> None:
    """Job: queue the program days whose local delivery time has come (or comes in a minute)."""
    try:
        queued = await queue_due_days(context.services.uow, now=now or utc_now())
    except DATABASE_ERRORS:
        # Nothing was queued; the next run (a minute later) queues the same days.
        log.exception("could not queue program days")
        return
    if queued:
        log.info("queued %d program days", queued)


async def send_program_digests(context: BotContext, now: datetime | None = None) -> None:
    """Job: queue each program's weekly adherence digest for coaches whose Monday 08:00 came."""
    try:
        queued = await queue_weekly_digests(context.services.uow, now=now or utc_now())
    except DATABASE_ERRORS:
        log.exception("could not queue program digests")
        return
    if queued:
        log.info("queued %d program digests", queued)


async def queue_series_rsvps(context: BotContext, now: datetime | None = None) -> None:
    """Job: queue the series' RSVP requests and reminders whose time has come."""
    try:
        queued = await queue_due_rsvps(context.services.uow, now=now or utc_now())
    except DATABASE_ERRORS:
        # Nothing was queued; the next run (a minute later) queues the same rows.
        log.exception("could not queue RSVP requests")
        return
    if queued.requests or queued.reminders:
        log.info("queued %d RSVP requests, %d reminders", queued.requests, queued.reminders)


async def offer_waitlist_places(context: BotContext, now: datetime | None = None) -> None:
    """Job: expire overdue seat offers and offer every free place to the first in line."""
    services = context.services
    try:
        run = await offer_free_places(
            services.uow, now=now or utc_now(), offer_hours=services.waitlist_offer_hours
        )
    except DATABASE_ERRORS:
        # Nothing changed; the next run (a minute later) does the same.
        log.exception("could not offer waitlist places")
        return
    if run.offered or run.expired:
        log.info("offered %d places in line, %d offers expired", run.offered, run.expired)


async def queue_team_fees(context: BotContext, now: datetime | None = None) -> None:
    """Job: open the period's team fee dues, queue their requests and this week's reminders."""
    try:
        queued = await queue_due_fees(context.services.uow, now=now or utc_now())
    except DATABASE_ERRORS:
        # Nothing was queued; the next run queues the same rows.
        log.exception("could not queue team fees")
        return
    if queued.dues or queued.requests or queued.reminders:
        log.info(
            "opened %d team fee dues, queued %d requests, %d reminders",
            queued.dues,
            queued.requests,
            queued.reminders,
        )


async def queue_nutrition_days(context: BotContext, now: datetime | None = None) -> None:
    """Job: queue the nutrition plan days (and meal reminders) whose local time has come."""
    try:
        queued = await queue_plan_days(context.services.uow, now=now or utc_now())
    except DATABASE_ERRORS:
        # Nothing was queued; the next run (a minute later) queues the same days.
        log.exception("could not queue nutrition plan days")
        return
    if queued:
        log.info("queued %d nutrition plan days and meals", queued)


async def send_nutrition_weeks(context: BotContext, now: datetime | None = None) -> None:
    """Job: queue last week's adherence of each plan whose athlete's Monday 08:00 came."""
    try:
        queued = await queue_nutrition_weeks(context.services.uow, now=now or utc_now())
    except DATABASE_ERRORS:
        log.exception("could not queue nutrition weeks")
        return
    if queued:
        log.info("queued %d nutrition weeks", queued)


def schedule_maintenance(application: BotApplication) -> None:
    """Register the recurring jobs on the application's job queue."""
    jobs = application.job_queue
    if jobs is None:
        raise RuntimeError("python-telegram-bot[job-queue] is required")
    jobs.run_repeating(
        maintain_metric_partitions,
        interval=PARTITION_CHECK_EVERY,
        first=timedelta(seconds=30),
        name="metric-partitions",
    )
    jobs.run_repeating(
        send_due_notifications,
        interval=NOTIFICATIONS_EVERY,
        first=NOTIFICATIONS_EVERY,
        name="notifications-outbox",
    )
    jobs.run_repeating(
        plan_session_reminders,
        interval=REMINDER_PLANNING_EVERY,
        first=timedelta(minutes=1),
        name="session-reminders",
    )
    jobs.run_repeating(
        release_unpaid_sessions,
        interval=PAYMENT_RELEASE_EVERY,
        first=timedelta(minutes=2),
        name="unpaid-sessions",
    )
    jobs.run_repeating(
        queue_program_days,
        interval=PROGRAM_DAYS_EVERY,
        first=timedelta(seconds=20),
        name="program-days",
    )
    jobs.run_repeating(
        queue_series_rsvps,
        interval=RSVP_EVERY,
        first=timedelta(seconds=25),
        name="series-rsvps",
    )
    jobs.run_repeating(
        offer_waitlist_places,
        interval=WAITLIST_OFFERS_EVERY,
        first=timedelta(seconds=35),
        name="waitlist-offers",
    )
    jobs.run_repeating(
        queue_team_fees,
        interval=TEAM_FEES_EVERY,
        first=timedelta(minutes=2),
        name="team-fees",
    )
    jobs.run_repeating(
        send_program_digests,
        interval=PROGRAM_DIGESTS_EVERY,
        first=timedelta(minutes=4),
        name="program-digests",
    )
    jobs.run_repeating(
        queue_nutrition_days,
        interval=NUTRITION_DAYS_EVERY,
        first=timedelta(seconds=25),
        name="nutrition-days",
    )
    jobs.run_repeating(
        send_nutrition_weeks,
        interval=NUTRITION_WEEKS_EVERY,
        first=timedelta(minutes=5),
        name="nutrition-weeks",
    )
    jobs.run_repeating(
        requeue_lost_uploads,
        interval=VIDEO_SWEEP_EVERY,
        first=timedelta(minutes=3),
        name="lost-video-uploads",
    )
    jobs.run_repeating(
        erase_people_due,
        interval=ERASURE_EVERY,
        first=timedelta(minutes=4),
        name="erasures",
    )
    jobs.run_repeating(
        apply_retention_periods,
        interval=RETENTION_EVERY,
        first=timedelta(minutes=15),
        name="retention",
    )
    # On the hour, in UTC: each run serves the zones where it is 07:xx (see
    # domain.notifications.digests).
    jobs.run_custom(
        send_coach_digests,
        job_kwargs={
            "trigger": CronTrigger(minute=0, timezone=UTC),
            "misfire_grace_time": int(DIGEST_MISFIRE_GRACE.total_seconds()),
            "coalesce": True,
        },
        name="coach-digests",
    )
    # On the hour, in UTC, like the digests: a run serves the zones where it is Monday 08:xx
    # (and catches up on them until 11:00; see domain.metrics.weekly_summaries).
    jobs.run_custom(
        send_weekly_summaries,
        job_kwargs={
            "trigger": CronTrigger(minute=0, timezone=UTC),
            "misfire_grace_time": int(DIGEST_MISFIRE_GRACE.total_seconds()),
            "coalesce": True,
        },
        name="weekly-summaries",
    )

"""The scheduled jobs: when they run, what a run does at a frozen moment, a database outage."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta

import pytest
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine

from bot.app import BotApplication, BotContext
from bot.jobs import (
    apply_retention_periods,
    maintain_metric_partitions,
    plan_session_reminders,
    release_unpaid_sessions,
    send_coach_digests,
    send_weekly_summaries,
)
from bot.outbox import telegram_deliverer
from bot.wiring import Services
from domain.adapters.db import create_engine, create_session_factory
from domain.adapters.storage import processed_video_key, raw_video_key
from domain.models import Notification, VideoAnalysis, VideoStatus
from domain.notifications.outbox import drain
from domain.uow import UnitOfWork
from tests.bot.runtime.fakes import AppFactory, FakeTelegram
from tests.factories import BOOKING_NOW, booking_world, session_at

# Nothing listens on port 1: every connection is refused at once.
DEAD_DATABASE_URL = "postgresql+asyncpg://postgres@127.0.0.1:1/nothing"
# Tuesday 16:00 in Berlin, where booking_world's coach lives.
TUESDAY_4PM = datetime(2026, 12, 8, 15, 0, tzinfo=UTC)


def context_of(app: BotApplication, name: str) -> BotContext:
    (job,) = app.job_queue.get_jobs_by_name(name)
    return BotContext.from_job(job, app)


async def kinds(uow: UnitOfWork) -> list[str]:
    async with uow as tx:
        return sorted((await tx.session.scalars(select(Notification.kind))).all())


def test_reminders_are_planned_every_ten_minutes(app: BotApplication) -> None:
    (job,) = app.job_queue.get_jobs_by_name("session-reminders")

    assert isinstance(job.job.trigger, IntervalTrigger)
    assert job.job.trigger.interval == timedelta(minutes=10)


def test_digests_are_queued_every_hour_on_the_hour_and_a_late_run_still_counts(
    app: BotApplication,
) -> None:
    (job,) = app.job_queue.get_jobs_by_name("coach-digests")
    trigger = job.job.trigger
    assert isinstance(trigger, CronTrigger)

    fire = trigger.get_next_fire_time(None, datetime(2026, 12, 8, 6, 17, 5, tzinfo=UTC))
    after = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))

    assert (fire, after) == (
        datetime(2026, 12, 8, 7, 0, tzinfo=UTC),
        datetime(2026, 12, 8, 8, 0, tzinfo=UTC),
    )
    assert job.job.misfire_grace_time == 30 * 60


async def test_the_planner_job_plans_a_session_nobody_planned_at_the_moment_it_is_given(
    app: BotApplication, uow: UnitOfWork
) -> None:
    world = await booking_world(uow)
    async with uow as tx:
        tx.sessions.add(session_at(world.coach, world.child, TUESDAY_4PM, sequence=0))
        await tx.commit()

    twenty_hours_before = TUESDAY_4PM - timedelta(hours=20)
    await plan_session_reminders(context_of(app, "session-reminders"), now=twenty_hours_before)

    assert await kinds(uow) == [
        "reminder_1h",
        "reminder_1h",
        "session_followup",
        "session_followup_coach",
    ]


async def test_the_digest_job_queues_the_morning_list_and_the_coach_reads_it(
    app: BotApplication, telegram: FakeTelegram, uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(uow)
    async with uow as tx:
        tx.sessions.add(session_at(world.coach, world.child, TUESDAY_4PM, sequence=0))
        await tx.commit()
    seven_in_berlin = datetime(2026, 12, 8, 6, 0, tzinfo=UTC)

    await send_coach_digests(context_of(app, "coach-digests"), now=seven_in_berlin)
    await drain(services.uow, now=seven_in_berlin, limit=10, deliver=telegram_deliverer(app.bot))

    assert telegram.texts(world.coach_user.telegram_user_id) == [
        "☀️ Good morning! Your sessions today: 1\n\n16:00 Kim (60 min)"
    ]


@pytest.fixture
async def dead_engine() -> AsyncIterator[AsyncEngine]:
    engine = create_engine(DEAD_DATABASE_URL)
    yield engine
    await engine.dispose()


async def test_the_jobs_log_an_unreachable_database_and_carry_on(
    make_app: AppFactory,
    services: Services,
    dead_engine: AsyncEngine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    offline = dataclasses.replace(
        services, engine=dead_engine, session_factory=create_session_factory(dead_engine)
    )
    app = await make_app(with_services=offline)

    with caplog.at_level(logging.ERROR, logger="bot.jobs"):
        await plan_session_reminders(context_of(app, "session-reminders"), now=BOOKING_NOW)
        await send_coach_digests(context_of(app, "coach-digests"), now=BOOKING_NOW)

    assert [record.getMessage() for record in caplog.records] == [
        "could not plan session reminders",
        "could not queue coach digests",
    ]


async def test_the_partition_job_logs_an_unreachable_database_and_carry_on(
    make_app: AppFactory,
    services: Services,
    dead_engine: AsyncEngine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    offline = dataclasses.replace(
        services, engine=dead_engine, session_factory=create_session_factory(dead_engine)
    )
    app = await make_app(with_services=offline)
    (job,) = app.job_queue.get_jobs_by_name("metric-partitions")

    with caplog.at_level(logging.ERROR, logger="bot.jobs"):
        await maintain_metric_partitions(BotContext.from_job(job, app))
        await maintain_metric_partitions(BotContext.from_job(job, app))

    assert [record.getMessage() for record in caplog.records] == [
        "could not check metric partitions",
        "could not check metric partitions",
    ]
    assert not job.removed


async def test_unpaid_sessions_are_released_every_five_minutes_and_an_outage_is_only_logged(
    make_app: AppFactory,
    services: Services,
    dead_engine: AsyncEngine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    offline = dataclasses.replace(
        services, engine=dead_engine, session_factory=create_session_factory(dead_engine)
    )
    app = await make_app(with_services=offline)
    (job,) = app.job_queue.get_jobs_by_name("unpaid-sessions")

    with caplog.at_level(logging.ERROR, logger="bot.jobs"):
        await release_unpaid_sessions(BotContext.from_job(job, app), now=BOOKING_NOW)

    assert isinstance(job.job.trigger, IntervalTrigger)
    assert job.job.trigger.interval == timedelta(minutes=5)
    assert [record.getMessage() for record in caplog.records] == [
        "could not release unpaid sessions"
    ]


async def test_weekly_summaries_are_queued_on_the_hour_and_the_parent_reads_kims_week(
    app: BotApplication, telegram: FakeTelegram, uow: UnitOfWork, services: Services
) -> None:
    (job,) = app.job_queue.get_jobs_by_name("weekly-summaries")
    trigger = job.job.trigger
    world = await booking_world(uow)
    async with uow as tx:
        last_tuesday = TUESDAY_4PM - timedelta(weeks=1)
        tx.sessions.add(session_at(world.coach, world.child, last_tuesday, status="completed"))
        tx.sessions.add(session_at(world.coach, world.child, TUESDAY_4PM, sequence=0))
        await tx.commit()
    monday_8_in_london = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)

    await send_weekly_summaries(BotContext.from_job(job, app), now=monday_8_in_london)
    await drain(services.uow, now=monday_8_in_london, limit=10, deliver=telegram_deliverer(app.bot))

    assert isinstance(trigger, CronTrigger)
    fire = trigger.get_next_fire_time(None, monday_8_in_london - timedelta(minutes=59))
    after = trigger.get_next_fire_time(fire, fire + timedelta(seconds=1))
    assert (fire, after) == (monday_8_in_london, monday_8_in_london + timedelta(hours=1))
    assert job.job.misfire_grace_time == 30 * 60
    assert telegram.texts(world.parent.telegram_user_id) == [
        "📊 Weekly summary for Kim (30 Nov – 6 Dec)\n"
        "🏃 Sessions done: 1\n"
        "📝 Results logged: 0\n"
        "🏆 Personal bests:\n• none this week\n"
        "📅 Next session: Tue 8 Dec, 15:00\n\n"
        "See the charts with /progress."
    ]


async def test_retention_runs_daily_and_at_a_frozen_moment_archives_an_old_video(
    app: BotApplication, uow: UnitOfWork, services: Services, caplog: pytest.LogCaptureFixture
) -> None:
    (job,) = app.job_queue.get_jobs_by_name("retention")
    world = await booking_world(uow)
    raw = raw_video_key(world.child.user_id, world.child.id, "original.mp4")
    rendition = processed_video_key(world.child.user_id, world.child.id, "video.mp4")
    for key in (raw, rendition):
        await services.storage.put(key, b"bytes", content_type="video/mp4")
    async with uow as tx:
        tx.session.add(
            VideoAnalysis(
                athlete_id=world.child.id,
                video_url=raw,
                processed_url=rendition,
                status=VideoStatus.ANALYZED,
                created_at=TUESDAY_4PM,
            )
        )
        await tx.commit()

    with caplog.at_level(logging.INFO, logger="bot.jobs"):
        await apply_retention_periods(
            BotContext.from_job(job, app), now=TUESDAY_4PM + timedelta(days=400)
        )

    assert isinstance(job.job.trigger, IntervalTrigger)
    assert job.job.trigger.interval == timedelta(days=1)
    # The metric months depend on what earlier tests left in the session's database (the
    # retention tests restore January 2020, which stays attached); the videos are this test's.
    assert (
        caplog.records[-1]
        .getMessage()
        .startswith(
            "retention: 1 raw videos archived, 1 renditions deleted, metric months archived: "
        )
    )
    assert await services.storage.exists(f"archive/{raw}")
    assert not await services.storage.exists(rendition)


async def test_the_retention_job_logs_an_unreachable_database_and_carries_on(
    make_app: AppFactory,
    services: Services,
    dead_engine: AsyncEngine,
    caplog: pytest.LogCaptureFixture,
) -> None:
    offline = dataclasses.replace(
        services, engine=dead_engine, session_factory=create_session_factory(dead_engine)
    )
    app = await make_app(with_services=offline)
    (job,) = app.job_queue.get_jobs_by_name("retention")

    with caplog.at_level(logging.ERROR, logger="bot.jobs"):
        await apply_retention_periods(BotContext.from_job(job, app), now=BOOKING_NOW)

    assert [record.getMessage() for record in caplog.records] == ["could not apply retention"]
    assert not job.removed

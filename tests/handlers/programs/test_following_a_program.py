"""Following a program in the chat, through the emulator: enrol from the page, each training
day's workout at the chosen local time (across a DST change, on a frozen clock), Done and one-tap
logging that makes a personal best, pause and resume, and the coach's adherence view."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from bot.app import BotContext
from bot.outbox import send_due_notifications
from domain.models import Notification, PerformanceMetric, ProgramWorkoutLog
from domain.uow import UnitOfWork
from tests.handlers.chat_steps import open_chats
from tests.handlers.programs.program_world import (
    BERLIN,
    enrolments,
    last_dst_change,
    program_cast,
    run_day,
    show_page,
    start_on,
    texts,
)

DAY = "🏋️ Strength base"


def berlin(day: date, at: time) -> datetime:
    return datetime.combine(day, at, tzinfo=BERLIN).astimezone(UTC)


async def test_a_free_program_is_delivered_at_07_00_local_across_a_dst_change_and_logged(
    emulator, run_bot, uow: UnitOfWork
) -> None:
    cast = await program_cast(emulator, uow)
    change = last_dst_change(datetime.now(UTC).date() - timedelta(days=7))
    start = change - timedelta(days=2)  # day 1 before the change, day 3 on its day
    async with run_bot(emulator) as application:
        await open_chats(cast.ana, cast.cora)
        await cast.ana.send("/log squat 100kg")
        await cast.ana.expect_reply(contains="100")

        await show_page(application, cast.ana, cast.program_id)
        await cast.ana.press("📝 Enrol")
        await cast.ana.expect_reply(contains="From when?")
        await cast.ana.press(next(b for b in _labels(cast.ana) if b.startswith("Today")))
        await cast.ana.expect_reply(contains="Enrolled in “Strength base”")
        (enrolment,) = await enrolments(uow)
        assert (enrolment.how, enrolment.athlete_id) == ("self", cast.ana_athlete)
        await start_on(uow, enrolment.id, start, time(7, 0))

        day1 = berlin(start, time(7, 0))
        await run_day(application, day1 - timedelta(minutes=5))
        assert texts(cast.ana, DAY) == []
        await run_day(application, day1)
        (first,) = texts(cast.ana, DAY)
        assert "week 1 of 2, day 1" in first
        # 105 % of her 100 kg best, to the half kilo; the absolute load as written.
        assert "• Back squat: 1 × 1 · 105 kg (105% of your best)" in first
        assert "• Bench press: 3 × 8 · 60 kg" in first

        # Day 2 is a rest day: nothing. Day 3 falls on the change: still 07:00 in Berlin,
        # an hour apart in UTC from day 1.
        await run_day(application, berlin(start + timedelta(days=1), time(7, 0)))
        day3 = berlin(change, time(7, 0))
        assert (day3 - day1) != timedelta(days=2)
        await run_day(application, day3 - timedelta(minutes=1))
        assert len(texts(cast.ana, DAY)) == 1
        await run_day(application, day3)
        assert len(texts(cast.ana, DAY)) == 2
        # Run again, by a second sender: nothing twice.
        await run_day(application, day3 + timedelta(minutes=1))
        assert len(texts(cast.ana, DAY)) == 2

        first_message = next(
            m for m in cast.ana.messages() if (m.get("text") or "").startswith(DAY)
        )
        await cast.ana.press("✅ Done", first_message)
        await cast.ana.expect_reply(contains="✅ Done")
        await cast.ana.press("📝 Back squat: 105 kg × 1", first_message)
        await cast.ana.expect_reply(contains="🏆 New personal best for Ana")
        await cast.ana.press("💬 Note to the coach", first_message)
        await cast.ana.expect_reply(contains="Write your note")
        await cast.ana.send("Knees felt fine at 105")
        await cast.ana.expect_reply(contains="Sent to Cora")
        await send_due_notifications(BotContext(application))
        await cast.cora.expect_reply(contains="Knees felt fine at 105")

        await cast.cora.send("/adherence")
        await cast.cora.expect_reply(contains="Which program?")
        await cast.cora.press("Strength base (1)")
        view = await cast.cora.expect_reply(contains="who keeps up")

        await cast.ana.send("/progress")
        progress = await cast.ana.expect_reply(contains="Strength base")
    # Every training day is past (the change was over a week ago): one done of four.
    assert "🏋️ Strength base: 25% kept (1 done, 0 partly, 0 skipped of 4 days)" in progress["text"]
    assert "Week 1: ✅ 1 · 🌓 0 · ⏭ 0 · ❔ 2" in view["text"]
    assert "Latest result: Back squat 105 kg" in view["text"]
    async with uow as tx:
        (answer,) = list(await tx.session.scalars(select(ProgramWorkoutLog)))
        metric = await tx.session.scalar(
            select(PerformanceMetric).where(PerformanceMetric.program_enrolment_id.is_not(None))
        )
    assert (answer.week, answer.day, answer.status) == (1, 1, "done")
    assert answer.note == "Knees felt fine at 105"
    assert metric is not None
    assert (metric.program_week, metric.program_day, metric.program_exercise) == (1, 1, 1)
    assert metric.metric_value == 105


async def test_a_paused_program_sends_nothing_until_resumed(emulator, run_bot, uow) -> None:
    cast = await program_cast(emulator, uow)
    async with run_bot(emulator) as application:
        await open_chats(cast.ana)
        await enrol_today(application, cast.ana, cast.program_id)
        (enrolment,) = await enrolments(uow)
        start = date(2026, 3, 2)
        await start_on(uow, enrolment.id, start, time(7, 0))

        await cast.ana.send("/training")
        await cast.ana.expect_reply(contains="Strength base — Ana")
        await cast.ana.press("1 ⏸ Pause")
        await cast.ana.expect_reply(contains="paused")
        await run_day(application, berlin(start, time(7, 0)))
        assert texts(cast.ana, DAY) == []

        await cast.ana.press("1 ▶ Resume")
        await cast.ana.expect_reply(contains="Strength base — Ana")
        await run_day(application, berlin(start, time(7, 5)))
        assert len(texts(cast.ana, DAY)) == 1


async def test_a_day_due_in_quiet_hours_waits_for_the_morning(emulator, run_bot, uow) -> None:
    cast = await program_cast(emulator, uow)
    async with run_bot(emulator) as application:
        await open_chats(cast.ana)
        await enrol_today(application, cast.ana, cast.program_id)
        (enrolment,) = await enrolments(uow)
        start = date(2026, 3, 2)
        await start_on(uow, enrolment.id, start, time(6, 0))  # quiet until 07:00

        await run_day(application, berlin(start, time(6, 0)))
        assert texts(cast.ana, DAY) == []
        async with uow as tx:
            row = await tx.session.scalar(
                select(Notification).where(Notification.kind == "program_day")
            )
        assert row is not None and row.due_at == berlin(start, time(7, 0))
        await run_day(application, berlin(start, time(7, 0)))
        assert len(texts(cast.ana, DAY)) == 1


async def test_a_forged_answer_for_someone_elses_program_day_is_refused(
    emulator, run_bot, uow
) -> None:
    cast = await program_cast(emulator, uow)
    async with run_bot(emulator) as application:
        await open_chats(cast.ana, cast.omar)
        await enrol_today(application, cast.ana, cast.program_id)
        (enrolment,) = await enrolments(uow)
        await start_on(uow, enrolment.id, date(2026, 3, 2), time(7, 0))
        await run_day(application, berlin(date(2026, 3, 2), time(7, 0)))
        (message,) = [m for m in cast.ana.messages() if (m.get("text") or "").startswith(DAY)]
        data = message["reply_markup"]["inline_keyboard"][0][0]["callback_data"]

        # Omar presses the very same button data in his own chat.
        from telegram import InlineKeyboardButton, InlineKeyboardMarkup

        markup = InlineKeyboardMarkup([[InlineKeyboardButton("forged", callback_data=data)]])
        await application.bot.send_message(cast.omar.id, "forged", reply_markup=markup)
        await cast.omar.expect_reply(contains="forged")
        await cast.omar.press("forged")
        refusal = await cast.omar.expect("callback_answer")
        assert "permiso" in (refusal.get("text") or "")
    async with uow as tx:
        assert list(await tx.session.scalars(select(ProgramWorkoutLog))) == []


async def enrol_today(application, person, program_id) -> None:  # type: ignore[no-untyped-def]
    await show_page(application, person, program_id)
    await person.press("📝 Enrol")
    await person.expect_reply(contains="From when?")
    await person.press(next(b for b in _labels(person) if b.startswith("Today")))
    await person.expect_reply(contains="Enrolled in")


def _labels(person) -> list[str]:  # type: ignore[no-untyped-def]
    message = person.messages()[-1]
    markup = message.get("reply_markup") or {}
    return [b["text"] for row in markup.get("inline_keyboard", []) for b in row]

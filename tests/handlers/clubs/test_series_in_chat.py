"""A private-lesson series in the chat, through the emulator: made from /series (bad lines
refused with their reason), an occurrence skipped and one moved, the series changed from a
date, 17:00 kept across the end of summer time; "Will Kim come?" answered by her parent,
refused after the deadline and refused to another family's forged press; attendance in two
taps, the season % and the family's /attendance."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select, update

from bot.app import BotContext
from bot.jobs import queue_series_rsvps
from bot.outbox import send_due_notifications
from domain.models import AttendanceStatus, RsvpAnswer, SessionAttendance, SessionRsvp, User
from domain.uow import UnitOfWork
from handlers.clubs.series_callbacks import AttendanceMark, RsvpPress
from tests.handlers.booking.booking_steps import press_data
from tests.handlers.chat_steps import open_chats
from tests.handlers.clubs.series_world import (
    BERLIN,
    buttons,
    occurrences,
    run_rsvps,
    series_cast,
    soon_in_berlin,
)


async def _make_daily_series(cast, first: datetime, days: int = 14) -> None:
    """Cora makes a daily series for Kim from `first` (Berlin) through the chat."""
    cora = cast.cora
    await cora.send("/series")
    await cora.expect_reply(contains="No weekly series yet")
    await cora.press("➕ Private-lesson series")
    await cora.expect_reply(contains="Who are the lessons with?")
    await cora.press("Kim")
    await cora.expect_reply(contains="Type the series in one line")
    start, end = first.date(), (first + timedelta(days=days - 1)).date()
    await cora.send(f"{first:%H:%M} 60min {start}..{end}")
    await cora.expect_reply(contains="The series has no days")
    await cora.send(f"mon {first:%H:%M} {end}..{start}")
    await cora.expect_reply(contains="ends")
    await cora.send(f"mon {first:%H:%M} {start}..{start + timedelta(days=800)}")
    await cora.expect_reply(contains="two years at most")
    everyday = "mon tue wed thu fri sat sun"
    await cora.send(f"{everyday} {first:%H:%M} 60min {start}..{end} at Court 2")
    await cora.expect_reply(contains=f"Series made: {days} sessions")


async def test_a_series_is_made_skipped_moved_and_changed_in_the_chat(
    emulator, run_bot, uow: UnitOfWork
) -> None:
    cast = await series_cast(emulator, uow)
    first = soon_in_berlin(180) + timedelta(days=1)
    async with run_bot(emulator) as application:
        await open_chats(cast.cora, cast.pia, cast.omar)
        await _make_daily_series(cast, first)
        made = cast.cora.messages()[-1]
        assert "Kim · Cora" in made["text"] and "Court 2" in made["text"]
        labels = buttons(made)
        await cast.cora.press(labels[0])
        await cast.cora.expect_reply(contains="no answer 1")
        await cast.cora.press("⏭ Skip")
        await cast.cora.expect_reply(contains="Skipped")

        # Move the second to an hour later, typed.
        rows = await occurrences(uow)
        second = rows[1].start_time.astimezone(BERLIN)
        await cast.cora.press("⬅ Back")
        await cast.cora.expect_reply(contains="Season:")
        await cast.cora.press(buttons(cast.cora.messages()[-1])[1])
        await cast.cora.expect_reply(contains="Answers close")
        await cast.cora.press("↔️ Move")
        await cast.cora.expect_reply(contains="Move it to when?")
        await cast.cora.send("next tuesday")
        await cast.cora.expect_reply(contains="isn't a date and time")
        later = second + timedelta(hours=1)
        await cast.cora.send(f"{later:%Y-%m-%d %H:%M}")
        await cast.cora.expect_reply(contains="Moved")
        assert (await occurrences(uow))[1].start_time == later.astimezone(UTC)

        # Change from the fifth day: wednesdays only, at 18:30.
        await cast.cora.press("⬅ Back")
        await cast.cora.expect_reply(contains="Season:")
        await cast.cora.press("✏️ Change from a date")
        await cast.cora.expect_reply(contains="From which date")
        change_day = (first + timedelta(days=4)).date()
        await cast.cora.send(f"from {change_day}: wed 18:30")
        await cast.cora.expect_reply(contains="Changed")
        live = [r for r in await occurrences(uow) if r.status != "cancelled"]
        later_ones = [r for r in live if r.start_time.astimezone(BERLIN).date() >= change_day]
        assert later_ones and {r.start_time.astimezone(BERLIN).weekday() for r in later_ones} == {2}

        # The coach's /schedule leads to the series too.
        await cast.cora.send("/schedule")
        await cast.cora.expect_reply()
        listing = next(
            m for m in reversed(cast.cora.messages()) if "🔁 Weekly series" in buttons(m)
        )
        await cast.cora.press("🔁 Weekly series", listing)
        await cast.cora.expect_reply(contains="Your weekly series")

        # Pia hears of each: the skip, the move, the change.
        await send_due_notifications(BotContext(application))
        await cast.pia.expect_reply(contains="is off")
        await cast.pia.expect_reply(contains="moved from")
        await cast.pia.expect_reply(contains="changes from")
        assert not [m for m in cast.omar.messages() if "Kim" in (m.get("text") or "")]


async def test_rsvp_is_asked_answered_closed_and_attendance_taken_in_two_taps(
    emulator, run_bot, uow: UnitOfWork
) -> None:
    cast = await series_cast(emulator, uow)
    first = soon_in_berlin(30)
    async with run_bot(emulator) as application:
        await open_chats(cast.cora, cast.pia, cast.omar)
        await _make_daily_series(cast, first)
        today, tomorrow, *_ = await occurrences(uow)

        # Today's request went out 48 h ago (frozen clock): its answers closed 3 h before.
        await run_rsvps(application, today.start_time - timedelta(hours=48))
        request = await cast.pia.expect_reply(contains="Will Kim come to Kim · Cora")
        assert buttons(request) == ["✅ Yes", "❌ No", "❔ Maybe"]
        await cast.pia.press("✅ Yes", request)
        await cast.pia.expect("callback_answer", contains="Answers closed at")

        # Tomorrow's: asked, then (a day before) today's reminder too; Pia answers in time.
        await run_rsvps(application, tomorrow.start_time - timedelta(hours=48))
        await cast.pia.expect_reply(contains="Reminder")
        requests = [m for m in cast.pia.messages() if "Will Kim come" in (m.get("text") or "")]
        await cast.pia.press("✅ Yes", requests[-1])
        await cast.pia.expect_reply(contains="Kim is coming")

        # Omar forges a press for Kim: refused, nothing kept for him.
        forged = RsvpPress(RsvpAnswer.NO, tomorrow.id, cast.world.child.id).pack()
        await press_data(emulator, cast.omar, cast.omar.messages()[-1], forged)
        await cast.omar.expect("callback_answer", contains="not allowed")
        async with uow as tx:
            answers = (await tx.session.execute(select(SessionRsvp.answer))).scalars().all()
        assert answers == ["yes"]

        # Cora sees it counted and named, then takes today's attendance: Kim, Present.
        await cast.cora.send("/series")
        await cast.cora.expect_reply(contains="Your weekly series")
        await cast.cora.press("📅 Kim · Cora")
        await cast.cora.expect_reply(contains="Season:")
        page = cast.cora.messages()[-1]
        await cast.cora.press(buttons(page)[1], page)
        await cast.cora.expect_reply(contains="✅ 1")
        assert "Kim: ✅ yes" in cast.cora.messages()[-1]["text"]
        await cast.cora.press("⬅ Back")
        await cast.cora.expect_reply(contains="Season:")
        await cast.cora.press(buttons(cast.cora.messages()[-1])[0])
        await cast.cora.expect_reply(contains="Answers close")
        await cast.cora.press("✅ Attendance")
        await cast.cora.expect_reply(contains="Tap an athlete")
        await cast.cora.press("▫️ Kim")
        await cast.cora.expect_reply(contains="Kim:")
        await cast.cora.press("✅ Present")
        await cast.cora.expect_reply(contains="Tap an athlete")
        assert "✅ Kim" in buttons(cast.cora.messages()[-1])
        async with uow as tx:
            marks = (await tx.session.execute(select(SessionAttendance.status))).scalars().all()
        assert marks == ["present"]

        await cast.cora.press("⬅ Back")
        await cast.cora.expect_reply(contains="Answers close")
        await cast.cora.press("⬅ Back")
        await cast.cora.expect_reply(contains="Season:")
        await cast.cora.press("📊 Season attendance")
        await cast.cora.expect_reply(contains="Kim: 100% (1 of 1)")

        # Omar forges the coach's buttons: a mark, and data no button carries.
        mark = AttendanceMark(today.id, cast.world.child.id, AttendanceStatus.ABSENT).pack()
        await press_data(emulator, cast.omar, cast.omar.messages()[-1], mark)
        await cast.omar.expect("callback_answer", contains="not allowed")
        await press_data(emulator, cast.omar, cast.omar.messages()[-1], "sra:m:nonsense")
        await cast.omar.expect("callback_answer", contains="isn't available")
        async with uow as tx:
            marks = (await tx.session.execute(select(SessionAttendance.status))).scalars().all()
        assert marks == ["present"]

        await cast.pia.send("/attendance")
        await cast.pia.expect_reply(contains="Kim's attendance")
        assert "100%" in cast.pia.messages()[-1]["text"]


async def test_an_rsvp_request_waits_out_the_familys_quiet_hours(
    emulator, run_bot, uow: UnitOfWork
) -> None:
    cast = await series_cast(emulator, uow)
    first = soon_in_berlin(30) + timedelta(days=3)
    async with uow as tx:  # Pia back on the default quiet hours, 21:00-07:00 (UTC, her zone)
        parent = await tx.users.get(cast.world.parent.id)
        parent.quiet_from, parent.quiet_until = time(21, 0), time(7, 0)
        await tx.commit()
    async with run_bot(emulator) as application:
        await open_chats(cast.cora, cast.pia)
        await _make_daily_series(cast, first)
        occurrence, *_ = await occurrences(uow)
        asked = occurrence.start_time - timedelta(hours=48)
        night = asked.replace(hour=23, minute=0, second=0, microsecond=0)
        if night < asked:
            night += timedelta(days=1)
        context = BotContext(application)
        await queue_series_rsvps(context, now=asked)
        await send_due_notifications(context, now=night)
        assert not [m for m in cast.pia.messages() if "Will Kim come" in (m.get("text") or "")]
        await send_due_notifications(context, now=night + timedelta(hours=8, minutes=5))
        await cast.pia.expect_reply(contains="Will Kim come")


async def test_a_weekly_series_keeps_its_local_time_across_the_end_of_summer_time(
    emulator, run_bot, uow: UnitOfWork
) -> None:
    # Berlin leaves summer time on Sunday 31 October 2027: 17:00 is 15:00 UTC before, 16:00
    # after. The series is typed in the chat; every occurrence and its request say 17:00.
    cast = await series_cast(emulator, uow)
    async with uow as tx:  # Pia lives in Berlin too: she reads the series' own clock
        await tx.session.execute(
            update(User).where(User.id == cast.world.parent.id).values(timezone="Europe/Berlin")
        )
        await tx.commit()
    async with run_bot(emulator) as application:
        await open_chats(cast.cora, cast.pia)
        await cast.cora.send("/series")
        await cast.cora.expect_reply(contains="No weekly series yet")
        await cast.cora.press("➕ Private-lesson series")
        await cast.cora.expect_reply(contains="Who are the lessons with?")
        await cast.cora.press("Kim")
        await cast.cora.expect_reply(contains="Type the series in one line")
        await cast.cora.send("tue 17:00 60min 2027-10-19..2027-11-09 at Court 2")
        await cast.cora.expect_reply(contains="Series made: 4 sessions")

        rows = await occurrences(uow)
        assert [row.start_time.astimezone(UTC).hour for row in rows] == [15, 15, 16, 16]
        assert {row.start_time.astimezone(BERLIN).time() for row in rows} == {time(17, 0)}

        # The last Tuesday of summer time and the first after, each asked two days ahead on
        # a frozen clock.
        for before_or_after, day in ((rows[1], "26 Oct"), (rows[2], "2 Nov")):
            await run_rsvps(application, before_or_after.start_time - timedelta(hours=48))
            request = await cast.pia.expect_reply(
                contains=f"Will Kim come to Kim · Cora, Tue {day}"
            )
            assert f"Tue {day}, 17:00?" in request["text"]

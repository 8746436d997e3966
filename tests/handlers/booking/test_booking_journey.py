"""The issue's journey in chat, both sides at once: a coach is verified and sets their hours, a
parent books for a child, the coach accepts, and each side sees the other's messages."""

from __future__ import annotations

from icalendar import Calendar
from sqlalchemy import select

from bot.app import BotContext
from bot.outbox import send_due_notifications
from domain.models import Athlete, TrainingSession, User
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from tests.handlers.booking.booking_steps import (
    CONFIRM,
    buttons,
    coach_instant,
    show_month,
    weekday_ahead,
)
from tests.handlers.coaching.coach_steps import fill_in_profile, sign_up, upload_and_submit

APPROVE, ACCEPT = "✅ Approve", "✅ Accept"
ZONE = "Europe/Berlin"


async def _parent_with_child(uow: UnitOfWork, pia: User) -> Athlete:
    async with uow as tx:
        kim = tx.users.add(User(role="athlete", first_name="Kim"))
        await tx.flush()
        child = tx.athletes.add(Athlete(user_id=kim.id, parent_id=pia.id, primary_sport="tennis"))
        (await tx.users.get(pia.id)).timezone = ZONE
        await tx.commit()
    return child


async def test_a_verified_coach_sets_hours_a_parent_books_and_the_coach_accepts(
    emulator: Emulator, run_bot, uow: UnitOfWork, services
) -> None:
    cora, ada, pia = emulator.user("Cora"), emulator.user("Ada"), emulator.user("Pia")
    coach_user = await sign_up(uow, cora, "coach")
    await sign_up(uow, ada, "admin")
    child = await _parent_with_child(uow, await sign_up(uow, pia, "parent"))
    async with uow as tx:
        (await tx.users.get(coach_user.id)).timezone = ZONE
        await tx.commit()
    day = weekday_ahead()

    async with run_bot(emulator) as app:
        for person in (ada, pia):
            await person.send("/help")
            await person.expect_reply()
        # The coach: profile, verification by the admin, then hours by the text form.
        await fill_in_profile(cora)
        await upload_and_submit(cora)
        await ada.expect_reply(contains="Coach to verify: Cora")
        await ada.press(APPROVE)
        await cora.expect_reply(contains="has been verified")
        for weekday in ("mon", "tue", "wed", "thu", "fri"):
            await cora.send(f"/availability {weekday} 16:00-20:00")
            await cora.expect_reply(contains="16:00-20:00")

        # The parent, in another chat, from the menu: sport, coach, day, time, confirm.
        await pia.send("/start")
        await pia.expect_reply(contains="Welcome back")
        await pia.press("📅 Book a session")
        await pia.expect("message", contains="Which sport")
        await pia.press("Tennis")
        await pia.expect("edit", contains="Coaches for")
        await pia.press("1. Cora")
        await pia.expect("edit", contains="Cora")
        await pia.press("Book with Cora")
        calendar = await pia.expect("edit", contains="Pick a day")
        await pia.press(str(day.day), await show_month(pia, day))
        times = await pia.expect("edit", contains="Free times on")
        assert "16:00" in buttons(times) and "19:00" in buttons(times)
        await pia.press("17:00")
        summary = await pia.expect("edit", contains="Please check and confirm")
        assert "Kim" in summary["text"] and "€45.00" in summary["text"]
        await pia.press(CONFIRM)
        await pia.expect("edit", contains="Request sent to Cora for Kim")

        # The coach hears of it, accepts; the parent gets the news and the calendar file.
        await send_due_notifications(BotContext(app))
        request = await cora.expect_reply(contains="Kim")
        await cora.press(ACCEPT, request)
        await cora.expect("edit")
        await send_due_notifications(BotContext(app))
        accepted = await pia.expect("message", contains="Cora")
        coach_copy = await cora.expect("message")

    assert calendar is not None
    for message in (accepted, coach_copy):
        assert message["document"]["file_name"] == "session.ics"
    async with uow as tx:
        (session,) = (await tx.session.scalars(select(TrainingSession))).all()
    assert (session.status, session.athlete_id) == ("scheduled", child.id)
    assert session.start_time == coach_instant(day, 17, ZONE)
    stored = emulator.world.files[accepted["document"]["file_id"]]
    event = Calendar.from_ical(stored.path.read_bytes()).walk("VEVENT")[0]
    assert event.decoded("dtstart") == session.start_time

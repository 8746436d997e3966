"""Booking and moving sessions in chat, through the emulator, with real Postgres and Redis."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from decimal import Decimal

from prometheus_client import REGISTRY
from sqlalchemy import select

from bot.app import BotContext
from bot.outbox import send_due_notifications
from domain.booking.schedule import DIRECTORY_PAGE as PAGE
from domain.models import Athlete, AuditEntry, Coach, Notification, TrainingSession, User
from domain.short_ids import short_id
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from tests.handlers.booking.booking_steps import (
    CONFIRM,
    all_buttons,
    book_directly,
    book_until_summary,
    booking_cast,
    buttons,
    choose_coach,
    coach_instant,
    latest,
    open_chats,
    pick_time,
    show_month,
    slot_label,
    token_of,
    weekday_ahead,
)
from tests.handlers.onboarding_flow import press_forged


async def sessions(uow: UnitOfWork) -> list[TrainingSession]:
    async with uow as tx:
        query = select(TrainingSession).order_by(TrainingSession.start_time)
        return list((await tx.session.scalars(query)).all())


def counted(metric: str, **labels: str) -> float:
    """A counter's value now (bot.metrics), 0 before its first count."""
    return REGISTRY.get_sample_value(f"sportscenter_{metric}_total", labels) or 0.0


async def test_a_parent_books_for_a_child_and_the_coach_gets_the_request(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cast = await booking_cast(emulator, uow)
    day = weekday_ahead()
    start = coach_instant(day, 16)
    booked, sent = counted("bookings", outcome="booked"), counted("notices", outcome="sent")
    async with run_bot(emulator) as app:
        await open_chats(cast.cora, cast.pia)
        summary = await book_until_summary(cast.pia, day, "16:00")
        assert "Kim" in summary["text"]
        # The price in the coach's currency, what it comes to in Stars, and why Stars.
        assert "💶 €40.00 = ⭐ 2,000" in summary["text"]
        assert summary["text"].endswith("You pay in Telegram Stars, here in the chat.")
        await cast.pia.press(CONFIRM)
        await cast.pia.expect("edit", contains="Request sent to Cora Klein for Kim")

        await send_due_notifications(BotContext(app))
        request = await cast.cora.expect_reply()
    assert counted("bookings", outcome="booked") == booked + 1
    assert counted("notices", outcome="sent") >= sent + 1

    # The flow's own answer says it; the outbox does not say it to her again.
    sent = [m for m in cast.pia.messages() if "Request sent" in (m.get("text") or "")]
    assert len(sent) == 1
    (session,) = await sessions(uow)
    assert (session.athlete_id, session.start_time) == (cast.world.child.id, start)
    assert session.end_time - session.start_time == timedelta(minutes=60)
    assert (session.price, session.status) == (Decimal("40.00"), "requested")
    assert session.booked_by == cast.world.parent.id
    data = [data for _, data in all_buttons(request)]
    assert data == [f"ses:acc:{short_id(session.id)}", f"ses:dec:{short_id(session.id)}"]


async def test_a_booker_in_new_york_sees_times_in_their_own_zone(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cast = await booking_cast(emulator, uow, pia_timezone="America/New_York")
    day = weekday_ahead()
    start = coach_instant(day, 16)
    async with run_bot(emulator):
        await choose_coach(cast.pia)
        calendar = latest(cast.pia)
        assert "Cora Klein's local dates (Europe/Berlin)" in calendar["text"]
        await cast.pia.press(str(day.day), await show_month(cast.pia, day))
        times = await cast.pia.expect("edit", contains="Free times on")
        labels = [label for label, data in all_buttons(times) if data.startswith("bk:sl:")]
        expected = [slot_label(coach_instant(day, h), "America/New_York") for h in range(16, 20)]
        assert labels == expected
        assert labels[0].endswith("(16:00)") and not labels[0].startswith("16:00")
        await cast.pia.press(labels[0])
        await cast.pia.expect("edit", contains="(16:00 for Cora Klein)")
        await cast.pia.press(CONFIRM)
        await cast.pia.expect("edit", contains="Request sent")
    (session,) = await sessions(uow)
    assert session.start_time == start


async def test_days_without_free_times_cannot_be_picked(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cast = await booking_cast(emulator, uow)
    day = weekday_ahead()
    async with run_bot(emulator):
        await choose_coach(cast.pia)
        calendar = await show_month(cast.pia, day)
        pressable = [data for _, data in all_buttons(calendar) if data.startswith("bk:day:")]
        closed = [data for label, data in all_buttons(calendar) if data.startswith("bk:no:")]
        assert pressable and closed
        # Only weekdays are open (the coach works Monday to Friday).
        assert all(_weekday(data) < 5 for data in pressable)
        assert {label for label, data in all_buttons(calendar) if data in closed} == {"·"}
        assert f"bk:day:{token_of(calendar)}:{day:%Y%m%d}" in pressable

        await cast.pia.press("·", calendar)
        await cast.pia.expect("callback_answer", contains="No free times that day")
        await cast.pia.press(str(day.day), calendar)
        await cast.pia.expect("edit", contains="Free times on")


async def test_a_slot_taken_before_confirming_offers_the_nearest_free_ones(
    emulator: Emulator, run_bot, uow: UnitOfWork, services
) -> None:
    cast = await booking_cast(emulator, uow)
    day = weekday_ahead()
    taken, next_free = coach_instant(day, 16), coach_instant(day, 17)
    lost = counted("bookings", outcome="slot_taken")
    async with run_bot(emulator):
        await book_until_summary(cast.pia, day, "16:00")
        await book_directly(uow, services, cast, taken, other=True)
        await cast.pia.press(CONFIRM)
        offer = await cast.pia.expect("edit", contains="someone just took that time")
        assert counted("bookings", outcome="slot_taken") == lost + 1
        nearest = [label for label, data in all_buttons(offer) if data.startswith("bk:now:")]
        assert any("17:00" in label for label in nearest)
        await cast.pia.press(next(label for label in nearest if "17:00" in label))
        await cast.pia.expect("edit", contains="Request sent to Cora Klein for Kim")
    mine = [s for s in await sessions(uow) if s.athlete_id == cast.world.child.id]
    assert [s.start_time for s in mine] == [next_free]


async def test_a_double_tap_on_confirm_books_once(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cast = await booking_cast(emulator, uow)
    day = weekday_ahead()
    async with run_bot(emulator):
        summary = await book_until_summary(cast.pia, day, "16:00")
        await asyncio.gather(cast.pia.press(CONFIRM, summary), cast.pia.press(CONFIRM, summary))
        await cast.pia.expect("edit", contains="Request sent")
        await cast.pia.expect("callback_answer", contains="already handled")
    assert len(await sessions(uow)) == 1


async def test_a_restart_mid_booking_resumes_at_the_calendar(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cast = await booking_cast(emulator, uow)
    day = weekday_ahead()
    async with run_bot(emulator):
        await choose_coach(cast.pia)
    async with run_bot(emulator):  # a new Application on the same Redis
        await pick_time(cast.pia, day, "18:00")
        await cast.pia.press(CONFIRM)
        await cast.pia.expect("edit", contains="Request sent")
    (session,) = await sessions(uow)
    assert session.start_time == coach_instant(day, 18)


async def test_a_stale_calendar_button_gets_a_polite_answer_and_changes_nothing(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cast = await booking_cast(emulator, uow)
    day = weekday_ahead()
    async with run_bot(emulator) as app:
        await choose_coach(cast.pia)
        old = await show_month(cast.pia, day)
        await cast.pia.send("/cancel")
        await cast.pia.expect_reply(contains="Stopped")
        await cast.pia.press(str(day.day), old)
        await cast.pia.expect("callback_answer", contains="already handled")

        # A calendar of a flow since replaced by a new one: the new flow goes on untouched.
        await choose_coach(cast.pia)
        await cast.pia.press(str(day.day), old)
        await cast.pia.expect("callback_answer", contains="already handled")
        assert app.user_data[cast.pia.id]["booking"]["day"] is None
        await pick_time(cast.pia, day, "17:00")
    assert await sessions(uow) == []


async def test_a_forged_button_naming_another_familys_child_is_refused_and_audited(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cast = await booking_cast(emulator, uow)
    async with uow as tx:
        tom = tx.users.add(User(role="athlete", first_name="Tom"))
        await tx.flush()
        tx.athletes.add(
            Athlete(user_id=tom.id, parent_id=cast.world.parent.id, primary_sport="tennis")
        )
        await tx.commit()
    async with run_bot(emulator) as app:
        await cast.pia.send("/book")
        question = await cast.pia.expect_reply(contains="Who is the session for?")
        assert {"Kim", "Tom"} <= set(buttons(question))
        forged = f"bk:ath:{token_of(question)}:{short_id(cast.world.other_child.id)}"
        await press_forged(emulator, cast.pia, forged)
        await cast.pia.expect("callback_answer", contains="isn't available")
        assert app.user_data[cast.pia.id]["booking"]["athlete"] is None
        await cast.pia.press("Kim")
        await cast.pia.expect("edit", contains="teach Kim")
    async with uow as tx:
        refused = (
            await tx.session.scalars(
                select(AuditEntry).where(AuditEntry.action == "callback.refused")
            )
        ).all()
    assert [entry.details["data"] for entry in refused] == [forged]
    assert await sessions(uow) == []


async def test_a_parent_moves_a_session_to_another_day(
    emulator: Emulator, run_bot, uow: UnitOfWork, services
) -> None:
    cast = await booking_cast(emulator, uow)
    day = weekday_ahead()
    later_day = weekday_ahead(days=(day - weekday_ahead(0)).days + 1)
    await book_directly(uow, services, cast, coach_instant(day, 16))
    async with run_bot(emulator):
        await cast.pia.send("/reschedule")
        listing = await cast.pia.expect_reply(contains="Which session do you want to move?")
        (label,) = [label for label, data in all_buttons(listing) if data.startswith("bk:ses:")]
        assert label.endswith("16:00 · Cora Klein")
        await cast.pia.press(label)
        await cast.pia.expect("edit", contains="Pick a day")
        summary = await pick_time(cast.pia, later_day, "18:00")
        assert "confirm the move" in summary["text"]
        await cast.pia.press(CONFIRM)
        await cast.pia.expect("edit", contains="Moved: Kim with Cora Klein")
    (session,) = await sessions(uow)
    assert (session.start_time, session.sequence) == (coach_instant(later_day, 18), 1)
    async with uow as tx:
        kinds = set(await tx.session.scalars(select(Notification.kind)))
    assert "session_rescheduled" in kinds


async def test_a_coach_moves_a_session_from_its_move_button(
    emulator: Emulator, run_bot, uow: UnitOfWork, services
) -> None:
    cast = await booking_cast(emulator, uow)
    day = weekday_ahead()
    await book_directly(uow, services, cast, coach_instant(day, 16))
    (session,) = await sessions(uow)
    async with run_bot(emulator):
        await open_chats(cast.cora)
        # The sessions list (handlers/booking/sessions.py) shows this button under each session.
        await press_forged(emulator, cast.cora, f"bk:move:{short_id(session.id)}")
        await cast.cora.expect_reply(contains="Pick a day for Kim with Cora Klein")
        await pick_time(cast.cora, day, "19:00")
        await cast.cora.press(CONFIRM)
        await cast.cora.expect("edit", contains="Moved")
    (moved,) = await sessions(uow)
    assert moved.start_time == coach_instant(day, 19)


async def test_a_move_inside_the_free_window_is_refused_politely(
    emulator: Emulator, run_bot, uow: UnitOfWork, services
) -> None:
    # Confirmed at once, and a week's notice to move for free: the next days are inside it.
    cast = await booking_cast(emulator, uow, rules={"free_cancel_hours": 168, "auto_accept": True})
    day = weekday_ahead()
    await book_directly(uow, services, cast, coach_instant(day, 16))
    (session,) = await sessions(uow)
    async with run_bot(emulator):
        await open_chats(cast.pia)
        await press_forged(emulator, cast.pia, f"bk:move:{short_id(session.id)}")
        await cast.pia.expect_reply(contains="Pick a day")
        await pick_time(cast.pia, day, "18:00")
        await cast.pia.press(CONFIRM)
        await cast.pia.expect("edit", contains="only the coach can move it now")
    (unchanged,) = await sessions(uow)
    assert (unchanged.start_time, unchanged.sequence) == (coach_instant(day, 16), 0)


async def test_someone_not_signed_up_or_not_booking_is_told_why(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cast = await booking_cast(emulator, uow)
    stranger = emulator.user("Sam")
    async with run_bot(emulator):
        await stranger.send("/book")
        await stranger.expect_reply(contains="sign up first")
        await cast.cora.send("/book")
        await cast.cora.expect_reply(contains="Booking is for athletes and parents")


def _weekday(data: str) -> int:
    return datetime.strptime(data.rsplit(":", 1)[1], "%Y%m%d").weekday()


async def test_the_coach_list_comes_eight_at_a_time_best_rated_first(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cast = await booking_cast(emulator, uow)
    async with uow as tx:
        for n in range(PAGE):
            user = tx.users.add(
                User(role="coach", first_name=f"Coach{n}", verification_status=True)
            )
            await tx.flush()
            tx.coaches.add(
                Coach(
                    user_id=user.id,
                    specializations=["tennis"],
                    rating=Decimal("4.5"),
                    total_reviews=n + 1,
                    hourly_rate=Decimal("30"),
                    years_experience=n,
                )
            )
        await tx.commit()
    async with run_bot(emulator):
        await cast.pia.send("/book")
        await cast.pia.expect_reply(contains="Which sport")
        await cast.pia.press("Tennis")
        first = await cast.pia.expect("edit", contains="★ 4.5 (1 reviews) · €30.00/h · 0 years")
        assert "Cora" not in first["text"] and "8. Coach" in first["text"]
        await cast.pia.press("Next »")
        second = await cast.pia.expect("edit", contains="9. Cora Klein: new here · €40.00/h")
        assert "Next »" not in buttons(second) and "« Previous" in buttons(second)
        await cast.pia.press("9. Cora Klein")
        await cast.pia.expect("edit", contains="Tennis for juniors")
        await cast.pia.press("« Back")
        await cast.pia.expect("edit", contains="9. Cora Klein")


async def test_several_lengths_and_types_are_asked_and_priced_and_auto_accept_books_at_once(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    rules = {
        "session_lengths": [30, 60],
        "session_types": ["individual", "assessment"],
        "auto_accept": True,
    }
    cast = await booking_cast(emulator, uow, rules=rules)
    day = weekday_ahead()
    async with run_bot(emulator):
        await choose_coach(cast.pia, calendar=False)
        lengths = await cast.pia.expect("edit", contains="How long")
        assert {"30 min · €20.00", "60 min · €40.00"} <= set(buttons(lengths))
        await cast.pia.press("30 min · €20.00")
        await cast.pia.expect("edit", contains="Which kind of session?")
        await cast.pia.press("Assessment")
        await cast.pia.expect("edit", contains="Pick a day")
        summary = await pick_time(cast.pia, day, "16:30")
        assert "30 min · Assessment" in summary["text"] and "€20.00" in summary["text"]
        await cast.pia.press(CONFIRM)
        await cast.pia.expect("edit", contains="✅ Booked: Kim with Cora Klein")
    (session,) = await sessions(uow)
    assert session.start_time == coach_instant(day, 16) + timedelta(minutes=30)
    assert session.end_time - session.start_time == timedelta(minutes=30)
    assert (session.session_type, session.price, session.status) == (
        "assessment",
        Decimal("20.00"),
        "scheduled",
    )

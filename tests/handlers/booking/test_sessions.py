"""Sessions after booking through the emulator: notices' buttons, /schedule, cancel, rate, notes.

Bookings are made with the domain service directly; then people press and type as in the chat.
Times are real (the handlers act at the present moment), so sessions are placed around it, and
the coach lives in a zone where it is about noon now, so "today" never straddles midnight.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from icalendar import Calendar
from sqlalchemy import func, select, update

from bot.app import BotApplication, BotContext
from bot.i18n import t
from bot.local_time import local_moment
from bot.outbox import send_due_notifications
from bot.wiring import Services
from domain.actors import actor_for_user
from domain.booking import book as booking
from domain.booking import changes as session_changes
from domain.booking import outcomes as session_outcomes
from domain.booking.availability import WEEKDAYS
from domain.booking.book import BookingChoice
from domain.booking.sessions import SessionView
from domain.models import (
    Athlete,
    AuditEntry,
    Coach,
    Notification,
    SessionRating,
    TrainingSession,
    User,
)
from domain.policy import Actor
from domain.short_ids import short_id
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from tests.factories import BookingWorld, booking_world, session_at
from tests.handlers.booking.booking_steps import press_data
from tests.handlers.chat_steps import open_chats

Json = dict[str, Any]
ACCEPT, COMPLETED = "✅ Accept", "✅ Completed"
STARS = [f"{n} ⭐" for n in range(1, 6)]
CANCEL, YES, FEE = "❌ Cancel session", "Yes, cancel it", "Cancel anyway, fee stays due"
PARENT_ZONE = "America/New_York"


@dataclass
class People:
    """The coach, the parent of the booked child and another parent, in the chat."""

    world: BookingWorld
    coach: EmulatedUser
    parent: EmulatedUser
    other: EmulatedUser
    coach_zone: str


def noon_zone(now: datetime) -> str:
    """A fixed-offset zone where it is 12:xx right now."""
    offset = 12 - now.hour  # hours east of UTC
    return "Etc/GMT" + (f"{-offset:+d}" if offset else "")


async def people(emulator: Emulator, uow: UnitOfWork, **rules: object) -> People:
    """A coach bookable at any hour, two families; nobody has quiet hours."""
    coach, parent, other = emulator.user("Cora"), emulator.user("Pia"), emulator.user("Omar")
    zone = noon_zone(datetime.now(UTC))
    all_day = {day: ["00:00-24:00"] for day in WEEKDAYS}
    world = await booking_world(
        uow,
        rules={"timezone": zone, "weekly": all_day, "min_notice_minutes": 0, **rules},
        telegram_ids=iter([coach.id, parent.id, other.id]),
    )
    async with uow as tx:
        await tx.session.execute(update(User).values(quiet_from=time(0), quiet_until=time(0)))
        await tx.session.execute(
            update(User).where(User.id == world.coach_user.id).values(timezone=zone)
        )
        await tx.session.execute(
            update(User).where(User.id == world.parent.id).values(timezone=PARENT_ZONE)
        )
        await tx.commit()
    return People(world, coach, parent, other, zone)


async def actor(uow: UnitOfWork, user: User) -> Actor:
    async with uow as tx:
        return await actor_for_user(tx, await tx.users.get(user.id))


def on_the_hour(hours: int) -> datetime:
    """A whole hour about `hours` from now (earlier when negative)."""
    return datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(hours=hours)


async def book(
    uow: UnitOfWork,
    services: Services,
    world: BookingWorld,
    start: datetime,
    *,
    accept: bool = True,
    athlete: str = "child",
) -> SessionView:
    """A booking at `start`, made (and accepted) three hours before, as the domain does it."""
    made_at = min(datetime.now(UTC), start - timedelta(hours=3))
    child, parent = (
        (world.child, world.parent)
        if athlete == "child"
        else (world.other_child, world.other_parent)
    )
    choice = BookingChoice(world.coach.id, child.id, start, 60, "individual")
    booked = await booking.book(
        uow, actor=await actor(uow, parent), choice=choice, now=made_at, slots=services.slots
    )
    if not accept:
        return booked.session
    changed = await session_changes.decide(
        uow,
        actor=await actor(uow, world.coach_user),
        session_id=booked.session.id,
        accept=True,
        now=made_at,
        slots=services.slots,
        refund=services.cancellation_refund,
    )
    return changed.session


async def deliver(application: BotApplication) -> None:
    await send_due_notifications(BotContext(application))


def buttons(message: Json) -> list[Json]:
    return [
        b for row in (message.get("reply_markup") or {}).get("inline_keyboard", []) for b in row
    ]


def labels(message: Json) -> list[str]:
    return [button["text"] for button in buttons(message)]


async def session_row(uow: UnitOfWork, view: SessionView) -> TrainingSession:
    async with uow as tx:
        return await tx.session.get_one(TrainingSession, view.id)


async def ratings_of(uow: UnitOfWork, view: SessionView) -> list[tuple[int, str | None]]:
    async with uow as tx:
        query = select(SessionRating).where(SessionRating.session_id == view.id)
        return [(rated.rating, rated.feedback) for rated in await tx.session.scalars(query)]


async def audited(uow: UnitOfWork, action: str) -> list[AuditEntry]:
    async with uow as tx:
        query = select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.at)
        return list(await tx.session.scalars(query))


async def count(uow: UnitOfWork, kind: str) -> int:
    async with uow as tx:
        query = select(func.count()).select_from(Notification).where(Notification.kind == kind)
        return await tx.session.scalar(query)


def ics_of(emulator: Emulator, message: Json) -> Calendar:
    path = emulator.world.files[message["document"]["file_id"]].path
    return Calendar.from_ical(path.read_bytes())


async def test_the_coach_accepts_from_the_notice_and_the_family_gets_the_calendar_file(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await people(emulator, uow)
    view = await book(uow, services, cast.world, on_the_hour(72), accept=False)
    async with run_bot(emulator) as app:
        await open_chats(cast.coach, cast.parent)
        await deliver(app)
        request = await cast.coach.expect_reply(contains="New booking request")
        assert labels(request) == [ACCEPT, "✖️ Decline"]

        await cast.coach.press(ACCEPT, request)
        answer = await cast.coach.expect("callback_answer")
        edited = await cast.coach.expect("edit", contains="confirmed")
        await deliver(app)
        accepted = await cast.parent.expect_reply(contains="Cora Klein accepted the booking")
        await cast.coach.expect_reply(contains="For your calendar")

        await press_data(emulator, cast.coach, request, f"ses:acc:{short_id(view.id)}")
        again = await cast.coach.expect("callback_answer")
    assert "Accepted" in answer["text"] and "Accepted" in edited["text"]
    assert labels(edited) == []  # the notice's buttons are gone
    event = ics_of(emulator, accepted).walk("VEVENT")[0]
    assert str(event["uid"]) == f"{view.id}@sportscenter"
    assert event.decoded("dtstart") == view.start
    assert again["text"] == t("booking.error.already_decided", "en", status="scheduled")
    assert (await session_row(uow, view)).status == "scheduled"
    assert len(await audited(uow, "session.accepted")) == 1
    assert await count(uow, "booking_accepted") == 1


async def test_forged_and_malformed_session_buttons_are_refused_and_audited(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await people(emulator, uow)
    view = await book(uow, services, cast.world, on_the_hour(72), accept=False)
    sid = short_id(view.id)
    forged = {
        cast.other: [f"ses:acc:{sid}", f"ses:cancel:{sid}:c", f"ses:open:{sid}:c"],
        # The parent is on the session, but accepting is the coach's.
        cast.parent: [f"ses:acc:{sid}", f"ses:done:{sid}", f"ses:notes:{sid}:c"],
        cast.coach: ["ses:acc:not-an-id", f"ses:acc:{sid}:x", f"ses:explode:{sid}", "ses:rate9:x"],
    }
    async with run_bot(emulator):
        await open_chats(cast.coach, cast.parent, cast.other)
        for person, presses in forged.items():
            for data in presses:
                await press_data(emulator, person, person.messages()[-1], data)
                await person.expect("callback_answer", contains="isn't available")
    refused = await audited(uow, "callback.refused")
    assert [entry.details["data"] for entry in refused] == [d for ds in forged.values() for d in ds]
    assert (await session_row(uow, view)).status == "requested"
    assert await audited(uow, "session.accepted") == []


async def test_schedule_lists_each_viewers_sessions_in_their_own_time_zone(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await people(emulator, uow)
    world = cast.world
    soon = await book(uow, services, world, on_the_hour(2), accept=False)
    in_three_days = await book(uow, services, world, on_the_hour(72))
    in_ten_days = await book(uow, services, world, on_the_hour(240))
    others = await book(uow, services, world, on_the_hour(4), athlete="other")
    dropped = await book(uow, services, world, on_the_hour(6))
    await session_changes.cancel(
        uow,
        actor=await actor(uow, world.coach_user),
        session_id=dropped.id,
        now=datetime.now(UTC),
        slots=services.slots,
        refund=services.cancellation_refund,
    )
    async with run_bot(emulator):
        await cast.coach.send("/schedule")
        coach_list = await cast.coach.expect_reply(contains="Your sessions")
        await cast.parent.send("/schedule")
        parent_list = await cast.parent.expect_reply(contains="next 30 days")
        await cast.parent.press(labels(parent_list)[0], parent_list)
        card = await cast.parent.expect("edit", contains="With Cora Klein, for Kim")

    def shown(view: SessionView, zone: str) -> str:
        return local_moment(view.start, zone, "en")

    today, week = coach_list["text"].split("Later this week")
    assert shown(soon, cast.coach_zone) in today and "awaiting the coach" in today
    assert shown(others, cast.coach_zone) in today and "Lea" in today
    assert shown(in_three_days, cast.coach_zone) in week and "€40.00 (payment pending)" in week
    for absent in (in_ten_days, dropped):
        assert shown(absent, cast.coach_zone) not in coach_list["text"]
    # Its three sessions, and the coach's weekly series (issue 19).
    assert len(buttons(coach_list)) == 3 + 1

    assert f"times in {PARENT_ZONE}" in parent_list["text"]
    for view in (soon, in_three_days, in_ten_days):
        assert shown(view, PARENT_ZONE) in parent_list["text"]
    for absent in (others, dropped):
        assert shown(absent, PARENT_ZONE) not in parent_list["text"]
    assert "Lea" not in parent_list["text"]
    assert shown(soon, PARENT_ZONE) in card["text"]
    assert labels(card) == ["🔁 Reschedule", CANCEL, "« Back"]
    assert buttons(card)[0]["callback_data"] == f"bk:move:{short_id(soon.id)}"


async def test_the_coach_marks_it_completed_and_the_parent_rates_it_with_a_line(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await people(emulator, uow)
    view = await book(uow, services, cast.world, on_the_hour(-2))
    async with run_bot(emulator) as app:
        await open_chats(cast.coach, cast.parent)
        await deliver(app)
        followup = await cast.parent.expect_reply(contains="How was it?")
        coach_followup = await cast.coach.expect_reply(contains="How did it go?")
        assert labels(followup) == STARS

        await cast.parent.press(STARS[4], followup)  # too early: not marked completed yet
        early = await cast.parent.expect("callback_answer")
        await cast.coach.press(COMPLETED, coach_followup)
        await cast.coach.expect("edit", contains="Marked as completed")

        fourth_star = buttons(followup)[3]["callback_data"]
        await press_data(emulator, cast.parent, followup, fourth_star)
        rated = await cast.parent.expect("edit", contains="Thanks for rating it 4/5")
        await cast.parent.send("Great session, Kim loved it!")
        await cast.parent.expect_reply(contains="The coach will read it")
        after = await cast.parent.expect("edit")
    assert early["text"] == t("booking.error.rate_not_completed", "en")
    assert labels(rated) == ["Skip"] and labels(after) == []
    assert (await session_row(uow, view)).status == "completed"
    assert await ratings_of(uow, view) == [(4, "Great session, Kim loved it!")]
    async with uow as tx:
        coach = await tx.session.get_one(Coach, cast.world.coach.id)
    assert (coach.rating, coach.total_reviews) == (4, 1)


async def test_a_rating_can_go_without_words(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await people(emulator, uow)
    view = await book(uow, services, cast.world, on_the_hour(-2))
    await session_outcomes.record_outcome(
        uow,
        actor=await actor(uow, cast.world.coach_user),
        session_id=view.id,
        outcome="completed",
        now=datetime.now(UTC),
    )
    async with run_bot(emulator) as app:
        await open_chats(cast.parent)
        await deliver(app)
        followup = await cast.parent.expect_reply(contains="How was it?")
        await press_data(emulator, cast.parent, followup, buttons(followup)[4]["callback_data"])
        await cast.parent.expect("edit", contains="5/5")
        await cast.parent.press("Skip")
        skipped = await cast.parent.expect("callback_answer")
        await cast.parent.send("hello")
        await cast.parent.expect_reply(contains="I wasn't expecting that")
    assert skipped["text"] == "Thanks for your rating!"
    assert await ratings_of(uow, view) == [(5, None)]


async def test_two_families_rate_a_group_session_and_each_sees_only_its_own(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await people(emulator, uow, auto_accept=True, session_types=["individual", "group"])
    world, start = cast.world, on_the_hour(-2)
    made_at = start - timedelta(hours=3)
    for parent, child in ((world.parent, world.child), (world.other_parent, world.other_child)):
        await booking.book(
            uow,
            actor=await actor(uow, parent),
            choice=BookingChoice(world.coach.id, child.id, start, 60, "group"),
            now=made_at,
            slots=services.slots,
        )
    async with run_bot(emulator) as app:
        await open_chats(cast.coach, cast.parent, cast.other)
        await deliver(app)
        pia_followup = await cast.parent.expect_reply(contains="How was it?")
        omar_followup = await cast.other.expect_reply(contains="How was it?")
        coach_followup = await cast.coach.expect_reply(contains="How did it go?")
        await cast.coach.press(COMPLETED, coach_followup)
        await cast.coach.expect("edit", contains="Marked as completed")

        await cast.parent.press(STARS[4], pia_followup)
        await cast.parent.expect("edit", contains="Thanks for rating it 5/5")
        await cast.parent.send("Kim loved it")
        await cast.parent.expect_reply(contains="The coach will read it")
        await cast.other.press(STARS[1], omar_followup)
        omar_card = await cast.other.expect("edit", contains="Thanks for rating it 2/5")
        await cast.other.send("Too crowded")
        await cast.other.expect_reply(contains="The coach will read it")
        four = buttons(pia_followup)[3]["callback_data"]  # Pia changes her mind; words kept
        await press_data(emulator, cast.parent, pia_followup, four)
        pia_card = await cast.parent.expect("edit", contains="Thanks for rating it 4/5")

        completed = buttons(coach_followup)[0]["callback_data"]
        await press_data(emulator, cast.coach, coach_followup, completed)
        coach_card = await cast.coach.expect("edit")
    assert "Rated 2/5" in omar_card["text"]
    assert "5/5" not in omar_card["text"] and "Kim" not in omar_card["text"]
    assert "Rated 4/5" in pia_card["text"] and "Kim loved it" in pia_card["text"]
    assert "Too crowded" not in pia_card["text"] and "2/5" not in pia_card["text"]
    for line in ("Kim rated it 4/5", "Kim loved it", "Lea rated it 2/5", "Too crowded"):
        assert line in coach_card["text"]
    async with uow as tx:
        coach = await tx.session.get_one(Coach, world.coach.id)
    assert (coach.rating, coach.total_reviews) == (3, 2)


async def _open_card(person: EmulatedUser, heading: str) -> Json:
    await person.send("/schedule")
    listing = await person.expect_reply(contains=heading)
    await person.press(labels(listing)[0], listing)
    return await person.expect("edit")


async def test_a_parent_cancels_free_of_charge_and_the_coach_is_told(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await people(emulator, uow)
    view = await book(uow, services, cast.world, on_the_hour(72))
    async with run_bot(emulator) as app:
        await open_chats(cast.coach, cast.parent)
        await deliver(app)  # what the booking itself announced
        await _open_card(cast.parent, "next 30 days")
        await cast.parent.press(CANCEL)
        confirm = await cast.parent.expect("edit", contains="Cancel this session?")
        await cast.parent.press(YES, confirm)
        done = await cast.parent.expect("edit", contains="Cancelled. I've told everyone")
        await deliver(app)
        told = await cast.coach.expect_reply(contains="Session cancelled")
    assert "cancelled" in done["text"] and labels(done) == ["« Back"]
    row = await session_row(uow, view)
    assert (row.status, row.payment_status, row.cancel_reason) == (
        "cancelled",
        "not_required",
        "athlete",
    )
    assert str(ics_of(emulator, told)["method"]) == "CANCEL"


async def test_a_late_cancellation_warns_about_the_fee_then_cancels_on_a_second_yes(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await people(emulator, uow)
    view = await book(uow, services, cast.world, on_the_hour(5))
    async with run_bot(emulator):
        await open_chats(cast.parent)
        await _open_card(cast.parent, "next 30 days")
        await cast.parent.press(CANCEL)
        await cast.parent.expect("edit", contains="Cancel this session?")
        await cast.parent.press(YES)
        warning = await cast.parent.expect("edit", contains="€40.00")
        assert (await session_row(uow, view)).status == "scheduled"
        await cast.parent.press(FEE, warning)
        done = await cast.parent.expect("edit", contains="The fee stays due")
    assert warning["text"] == t("booking.error.late_cancel", "en", hours=24, price="€40.00")
    assert labels(warning) == [FEE, "No, keep it"]
    assert "❌ cancelled" in done["text"]
    row = await session_row(uow, view)
    assert (row.status, row.payment_status, row.cancel_reason) == ("cancelled", "pending", "late")


async def test_the_coach_writes_notes_on_a_session_that_has_started(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await people(emulator, uow)
    view = await book(uow, services, cast.world, on_the_hour(-1))
    async with run_bot(emulator):
        await open_chats(cast.coach)
        card = await _open_card(cast.coach, "Your sessions")
        assert labels(card) == [COMPLETED, "🚫 No-show", "📝 Notes", "👤 Kim's profile", "« Back"]
        await cast.coach.press("📝 Notes", card)
        await cast.coach.expect_reply(contains="Send your notes")
        await cast.coach.send("Backhand: keep the racket head up.")
        saved = await cast.coach.expect_reply(contains="Notes saved")
    assert "Your notes: Backhand: keep the racket head up." in saved["text"]
    assert (await session_row(uow, view)).coach_notes == "Backhand: keep the racket head up."


async def test_the_coach_opens_the_athletes_profile_from_the_session_card(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await people(emulator, uow)
    await book(uow, services, cast.world, on_the_hour(26))
    async with run_bot(emulator):
        await open_chats(cast.coach)
        card = await _open_card(cast.coach, "Your sessions")
        await cast.coach.press("👤 Kim's profile", card)
        profile = await cast.coach.expect("message", contains="👤 Kim · Athlete")
    assert "Sport:" in profile["text"]
    assert labels(card) == ["👤 Kim's profile", "🔁 Reschedule", CANCEL, "« Back"]


async def test_the_coach_declines_on_a_card_and_the_list_no_longer_shows_it(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await people(emulator, uow)
    view = await book(uow, services, cast.world, on_the_hour(26), accept=False)
    async with run_bot(emulator) as app:
        await open_chats(cast.coach, cast.parent)
        card = await _open_card(cast.coach, "Your sessions")
        await cast.coach.press("✖️ Decline", card)
        declined = await cast.coach.expect("edit", contains="Declined. I've let them know.")
        await cast.coach.press("« Back", declined)
        listing = await cast.coach.expect("edit", contains="Your sessions")
        await deliver(app)
        await cast.parent.expect_reply(contains="Cora Klein can't take this one")
    assert labels(card) == [
        ACCEPT, "✖️ Decline", "👤 Kim's profile", "🔁 Reschedule", CANCEL, "« Back"
    ]  # fmt: skip
    assert "❌ cancelled" in declined["text"] and labels(declined) == ["« Back"]
    # Nothing to open; the coach's weekly series stay a tap away (issue 19).
    assert listing["text"].endswith("Nothing booked.") and labels(listing) == ["🔁 Weekly series"]
    row = await session_row(uow, view)
    assert (row.status, row.cancel_reason) == ("cancelled", "declined")


async def test_a_coach_who_is_also_a_parent_sees_both_their_coaching_and_their_childs_sessions(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await people(emulator, uow)
    world = cast.world
    coached = await book(uow, services, world, on_the_hour(5))
    async with uow as tx:
        bea = tx.users.add(User(role="coach", first_name="Bea", last_name="Berg"))
        ben = tx.users.add(User(role="athlete", first_name="Ben"))
        await tx.flush()
        swim_coach = tx.coaches.add(Coach(user_id=bea.id, specializations=["swimming"]))
        coras_child = tx.athletes.add(
            Athlete(user_id=ben.id, parent_id=world.coach_user.id, primary_sport="swimming")
        )
        await tx.flush()
        lesson = session_at(swim_coach, coras_child, on_the_hour(50), booked_by=world.coach_user.id)
        tx.sessions.add(lesson)
        await tx.commit()
    async with run_bot(emulator):
        await cast.coach.send("/schedule")
        listing = await cast.coach.expect_reply(contains="Your sessions")

    coaching, family = listing["text"].split("next 30 days")
    assert local_moment(coached.start, cast.coach_zone, "en") in coaching and "Kim" in coaching
    assert local_moment(lesson.start_time, cast.coach_zone, "en") in family
    assert "Bea Berg" in family and "Kim" not in family
    assert len(buttons(listing)) == 2 + 1  # and the coach's weekly series (issue 19)

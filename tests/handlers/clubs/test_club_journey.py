"""A club's season through the emulator, as the people live it (issue 19, "Done when").

Cora coaches tennis. She creates U12 Tigers in the chat; Pia (Kim), Omar (Lea) and Hal join
by the families' link, Hal after adding his son Ben. She makes the team's weekly practice; the
bot asks the families before a practice (its job on a frozen clock), they answer, she sees the
counts, takes the register at today's practice and the season % and Kim's /attendance show it.
Her group session fills up; Kim waits in line, Lea's place is cancelled in the chat, the offers
job offers it to Kim, and Pia's double tap on Accept races Omar booking Lea back in: one place,
one winner, Omar politely told the group is full. Then Cora sells a pack of ten lessons, Pia
buys it, books a lesson with it, and /payments shows nine left.
"""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select, update

from bot.app import BotApplication, BotContext
from bot.jobs import offer_waitlist_places
from bot.outbox import send_due_notifications
from bot.wiring import Services
from domain.models import Athlete, SessionParticipant, TrainingSession, User
from domain.payments.checkout import PaymentConfig
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from telegram_emulator.world import Json
from tests.factories import BookingWorld
from tests.handlers.booking.booking_steps import (
    COACH_ZONE,
    CONFIRM,
    booking_cast,
    choose_coach,
    coach_instant,
    pick_time,
    weekday_ahead,
)
from tests.handlers.chat_steps import open_chats
from tests.handlers.clubs.pack_steps import next_invoice, pay_invoice
from tests.handlers.clubs.series_world import (
    BERLIN,
    buttons,
    occurrences,
    run_rsvps,
    soon_in_berlin,
)
from tests.handlers.clubs.team_steps import FAMILY_LINK, create_team_in_chat, open_team

# Private lessons and groups of two, accepted at once.
CLUB_RULES = {"session_types": ["individual", "group"], "group_capacity": 2, "auto_accept": True}
GROUP_HOUR, LESSON_HOUR = 16, 18


@dataclass
class Club:
    """The coach and three families in the chat; Hal has no child on SportsCenter yet."""

    world: BookingWorld
    cora: EmulatedUser
    pia: EmulatedUser  # Kim's mother
    omar: EmulatedUser  # Lea's father
    hal: EmulatedUser  # Ben's father, to be


async def _club(emulator: Emulator, uow: UnitOfWork) -> Club:
    cast = await booking_cast(emulator, uow, rules=CLUB_RULES)
    hal = emulator.user("Hal")
    async with uow as tx:
        tx.users.add(User(role="parent", first_name="Hal", telegram_user_id=hal.id))
        await tx.flush()
        # A Berlin club; "/quiet off" for everyone: requests and offers go out at any hour.
        await tx.session.execute(
            update(User).values(timezone=COACH_ZONE, quiet_from=time(0), quiet_until=time(0))
        )
        await tx.commit()
    return Club(cast.world, cast.cora, cast.pia, cast.omar, hal)


async def _deliver(application: BotApplication) -> None:
    await send_due_notifications(BotContext(application))


# --- 1. the team and its families ------------------------------------------------------------


async def _join(person: EmulatedUser, code: str, athlete: str) -> None:
    await person.send(f"/start team-{code}")
    await person.expect_reply(contains="Join U12 Tigers?")
    await person.press(f"✅ Join as {athlete}")
    await person.expect_reply(contains=f"{athlete} is on U12 Tigers now")


async def _hal_adds_ben_and_joins(hal: EmulatedUser, code: str) -> None:
    """Hal opens the link with no child yet: he adds Ben from it, then opens it again."""
    await hal.send(f"/start team-{code}")
    await hal.expect_reply(contains="Join U12 Tigers?")
    await hal.press("👶 Add a child first")
    await hal.expect_reply(contains="What is your child's name?")
    await hal.send("Ben")
    await hal.expect_reply(contains="born")
    await hal.send("2015-04-09")
    await hal.expect_reply(contains="sport")
    await hal.press("Tennis")
    await hal.expect_reply(contains="health")
    await hal.press("Skip")
    await hal.expect_reply(contains="Ben is now part of your family")
    await _join(hal, code, "Ben")


async def _the_team_is_formed(club: Club) -> None:
    # A season under way whatever the month the test runs in (the suggested one may not be).
    today = datetime.now(BERLIN).date()
    created = await create_team_in_chat(club.cora, f"{today} - {today + timedelta(days=120)}")
    code = FAMILY_LINK.search(created)
    assert code, created
    await _join(club.pia, code[1], "Kim")
    await _join(club.omar, code[1], "Lea")
    await _hal_adds_ben_and_joins(club.hal, code[1])
    await open_team(club.cora)
    await club.cora.press("👥 Roster")
    roster = await club.cora.expect_reply(contains="the roster")
    for line in ("• Kim: guardians Pia", "• Lea: guardians Omar", "• Ben: guardians Hal"):
        assert line in roster["text"]


# --- 2. the weekly practice ------------------------------------------------------------------


async def _cora_makes_the_weekly_practice(club: Club) -> None:
    """Every week on today's weekday, starting half an hour from now (today's is the first)."""
    first = soon_in_berlin(30)
    weekday = f"{first:%a}".lower()
    await open_team(club.cora)
    await club.cora.press("📅 Schedule")
    await club.cora.expect_reply(contains="No weekly practice yet")
    await club.cora.press("➕ Weekly practice")
    await club.cora.expect_reply(contains="the team's season unless you give one")
    await club.cora.send(f"{weekday} {first:%H:%M} 60min at Main field")
    made = await club.cora.expect_reply(contains="Series made")
    assert "U12 Tigers" in made["text"] and "Main field" in made["text"]


async def _open_practice_page(cora: EmulatedUser) -> Json:
    """The team page → 📅 Schedule → the weekly practice: its season page."""
    await open_team(cora)
    await cora.press("📅 Schedule")
    listed = await cora.expect_reply(contains="The team's weekly practices")
    await cora.press(buttons(listed)[0], listed)
    return await cora.expect_reply(contains="Season:")


# --- 3. RSVP and attendance --------------------------------------------------------------------


async def _families_answer_next_weeks_request(
    club: Club, application: BotApplication, uow: UnitOfWork
) -> None:
    """The RSVP job runs two days before next week's practice; two come, one does not."""
    _today, next_week, *_ = await occurrences(uow)
    await run_rsvps(application, next_week.start_time - timedelta(hours=48))
    for person, athlete, answer, heard in (
        (club.pia, "Kim", "✅ Yes", "Kim is coming"),
        (club.omar, "Lea", "❌ No", "Lea won't come"),
        (club.hal, "Ben", "✅ Yes", "Ben is coming"),
    ):
        asked = await person.expect_reply(contains=f"Will {athlete} come to U12 Tigers")
        await person.press(answer, asked)
        await person.expect_reply(contains=heard)


async def _cora_sees_the_counts(cora: EmulatedUser) -> None:
    page = await _open_practice_page(cora)
    await cora.press(buttons(page)[1], page)  # next week's practice
    counted = await cora.expect_reply(contains="✅ 2")
    assert "❌ 1" in counted["text"]
    for line in ("Kim: ✅ yes", "Lea: ❌ no", "Ben: ✅ yes"):
        assert line in counted["text"]


async def _cora_takes_the_register_today(cora: EmulatedUser) -> None:
    """Kim present, Lea absent, at today's practice; then the season's percentages."""
    page = await _open_practice_page(cora)
    await cora.press(buttons(page)[0], page)
    await cora.expect_reply(contains="Answers close")
    await cora.press("✅ Attendance")
    await cora.expect_reply(contains="Tap an athlete")
    for athlete, status in (("Kim", "✅ Present"), ("Lea", "❌ Absent")):
        await cora.press(f"▫️ {athlete}")
        await cora.expect_reply(contains=f"{athlete}:")
        await cora.press(status)
        await cora.expect_reply(contains="Tap an athlete")
    await cora.press("⬅ Back")
    await cora.expect_reply(contains="Answers close")
    await cora.press("⬅ Back")
    await cora.expect_reply(contains="Season:")
    await cora.press("📊 Season attendance")
    season = await cora.expect_reply(contains="attendance this season")
    assert "Kim: 100% (1 of 1)" in season["text"] and "Lea: 0% (0 of 1)" in season["text"]


async def _pia_sees_kims_attendance(pia: EmulatedUser) -> None:
    await pia.send("/attendance")
    history = await pia.expect_reply(contains="Kim's attendance")
    assert "100%" in history["text"]


# --- 4. a full group, its waitlist and the race for a freed place -----------------------------


async def _to_the_summary(person: EmulatedUser, kind: str, day: date, hour: int) -> Json:
    """/book with Cora: the kind of session, the day, the hour; the summary to confirm."""
    await choose_coach(person, calendar=False)
    await person.expect("edit", contains="Which kind of session?")
    await person.press(kind)
    await person.expect("edit", contains="Pick a day")
    return await pick_time(person, day, f"{hour:02d}:00")


async def _books_the_group(person: EmulatedUser, athlete: str, day: date) -> None:
    await _to_the_summary(person, "Group", day, GROUP_HOUR)
    await person.press(CONFIRM)
    booked = await person.expect("edit", contains="✅")  # a group opened, or one joined
    assert athlete in booked["text"] and "Cora Klein" in booked["text"]


async def _kim_joins_the_waitlist(pia: EmulatedUser, day: date) -> None:
    await _to_the_summary(pia, "Group", day, GROUP_HOUR)
    await pia.press(CONFIRM)
    full = await pia.expect("edit", contains="This group session is full")
    await pia.press("🕒 Join the waitlist", full)
    await pia.expect("edit", contains="Kim is number 1 in line")


async def _omar_cancels_leas_place(omar: EmulatedUser, day: date) -> None:
    """From /schedule (Lea's practices are there too): the group session's card, ❌ Cancel
    session, yes."""
    await omar.send("/schedule")
    listing = await omar.expect_reply(contains="Booked for the next 30 days")
    moment = f"{day:%a} {day.day} {day:%b}, {GROUP_HOUR}:00"
    group = next(label for label in buttons(listing) if label.startswith(moment))
    await omar.press(group, listing)
    await omar.expect("edit")
    await omar.press("❌ Cancel session")
    confirm = await omar.expect("edit", contains="Cancel this session?")
    await omar.press("Yes, cancel it", confirm)
    left = await omar.expect("edit", contains="You're out of this group session")
    assert "👤 With Cora Klein\n" in left["text"]  # no "for" with nobody after it


async def _the_freed_place_is_raced(club: Club, application: BotApplication, day: date) -> None:
    """Pia taps Accept twice at once while Omar confirms Lea back into the group."""
    omars_summary = await _to_the_summary(club.omar, "Group", day, GROUP_HOUR)
    await offer_waitlist_places(BotContext(application))
    await _deliver(application)
    offer = await club.pia.expect_reply(contains="offered to Kim")
    await asyncio.gather(
        club.pia.press("✅ Accept the place", offer),
        club.pia.press("✅ Accept the place", offer),
        club.omar.press(CONFIRM, omars_summary),
    )
    await club.pia.expect("edit", contains="Kim has the place")
    refused = await club.omar.expect("edit", contains="This group session is full")
    assert "🕒 Join the waitlist" in buttons(refused)
    # The second tap is answered as the first: Kim has the place, nothing "taken" from her.
    told_pia = [str(e.data.get("text") or "") for e in club.pia.events()]
    assert not [text for text in told_pia if "the place was taken" in text]


async def _group_participants(uow: UnitOfWork, day: date) -> tuple[int, set[uuid.UUID]]:
    async with uow as tx:
        session = await tx.session.scalar(
            select(TrainingSession).where(
                TrainingSession.start_time == coach_instant(day, GROUP_HOUR),
                TrainingSession.session_type == "group",
            )
        )
        assert session is not None
        athletes = await tx.session.scalars(
            select(SessionParticipant.athlete_id).where(SessionParticipant.session_id == session.id)
        )
        return session.participant_count, set(athletes)


async def _athlete_id(uow: UnitOfWork, first_name: str) -> uuid.UUID:
    async with uow as tx:
        found = await tx.session.scalar(
            select(Athlete.id)
            .join(User, User.id == Athlete.user_id)
            .where(User.first_name == first_name)
        )
    assert found is not None
    return found


# --- 5. a pack of lessons ----------------------------------------------------------------------


async def _cora_sells_a_pack_and_pia_buys_it(club: Club, application: BotApplication) -> None:
    await club.cora.send("/packs")
    await club.cora.expect_reply(contains="You sell no packs yet")
    await club.cora.press("➕ New pack")
    await club.cora.expect("edit", contains="Send the pack in one line")
    await club.cora.send("Season pack, 10, 350 EUR, 120")
    await club.cora.expect_reply(contains="✅ On sale: • Season pack: 10 lessons")

    await club.pia.send("/packs")
    await club.pia.expect_reply(contains="Packs of lessons from your coaches")
    await club.pia.press("Buy “Season pack” for Kim")
    await pay_invoice(club.pia, await next_invoice(club.pia))
    await _deliver(application)
    await club.pia.expect("message", contains="🧾 Receipt: pack “Season pack”")


async def _pia_books_a_lesson_with_the_pack(pia: EmulatedUser, day: date) -> None:
    summary = await _to_the_summary(pia, "Individual", day, LESSON_HOUR)
    assert "You can pay with a pack" in summary["text"]
    await pia.press("✅ Confirm with “Season pack” (10 left)", summary)
    booked = await pia.expect("edit", contains="✅ Booked: Kim with Cora Klein")
    assert "🎟 Paid with your pack; sessions left: 9." in booked["text"]
    await pia.send("/payments")
    balance = await pia.expect_reply(contains="Your packs")
    assert "Kim: “Season pack” with Cora Klein: 9 of 10 left" in balance["text"]


# --- the season ------------------------------------------------------------------------------


async def test_a_clubs_season_from_team_to_pack_in_the_chat(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    services.payments = PaymentConfig(provider_token=None)  # Telegram Stars
    club = await _club(emulator, uow)
    day = weekday_ahead()
    async with run_bot(emulator) as application:
        await open_chats(club.cora, club.pia, club.omar, club.hal)

        await _the_team_is_formed(club)
        await _cora_makes_the_weekly_practice(club)

        await _families_answer_next_weeks_request(club, application, uow)
        await _cora_sees_the_counts(club.cora)
        await _cora_takes_the_register_today(club.cora)
        await _pia_sees_kims_attendance(club.pia)

        await _books_the_group(club.omar, "Lea", day)
        await _books_the_group(club.hal, "Ben", day)
        await _kim_joins_the_waitlist(club.pia, day)
        await _omar_cancels_leas_place(club.omar, day)
        await _the_freed_place_is_raced(club, application, day)
        count, athletes = await _group_participants(uow, day)
        assert count == 2
        assert athletes == {await _athlete_id(uow, "Ben"), club.world.child.id}

        await _cora_sells_a_pack_and_pia_buys_it(club, application)
        await _pia_books_a_lesson_with_the_pack(club.pia, day)

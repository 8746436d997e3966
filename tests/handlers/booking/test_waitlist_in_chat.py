"""Waitlists through the emulator: /book finds a group full and offers its waitlist; a freed
place is offered to the first in line, who accepts and is in; an offer left unanswered past its
deadline (a frozen clock) passes to the next in line, and accepting it late is refused."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select, update

from bot.app import BotContext
from bot.jobs import offer_waitlist_places
from bot.outbox import send_due_notifications
from bot.wiring import Services
from domain.actors import actor_for_user
from domain.booking import book as booking
from domain.booking import changes as session_changes
from domain.booking import waitlist
from domain.booking.book import BookingChoice
from domain.models import Athlete, SessionParticipant, User
from domain.policy import Actor
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from tests.handlers.booking.booking_steps import (
    CONFIRM,
    BookingCast,
    book_until_summary,
    booking_cast,
    buttons,
    coach_instant,
    press_data,
    weekday_ahead,
)
from tests.handlers.chat_steps import open_chats

GROUP_OF_TWO = {"session_types": ["group"], "group_capacity": 2, "auto_accept": True}
JOIN, ACCEPT = "🕒 Join the waitlist", "✅ Accept the place"


async def family(uow: UnitOfWork, parent_name: str, child_name: str) -> tuple[User, uuid.UUID]:
    """A family not on Telegram: a parent and one child."""
    async with uow as tx:
        parent = tx.users.add(User(role="parent", first_name=parent_name))
        child = tx.users.add(User(role="athlete", first_name=child_name))
        await tx.flush()
        athlete = tx.athletes.add(
            Athlete(user_id=child.id, parent_id=parent.id, primary_sport="tennis")
        )
        await tx.commit()
    return parent, athlete.id


async def actor_of(uow: UnitOfWork, user: User) -> Actor:
    async with uow as tx:
        return await actor_for_user(tx, await tx.users.get(user.id))


async def book_group(
    uow: UnitOfWork,
    services: Services,
    cast: BookingCast,
    parent: User,
    athlete: uuid.UUID,
    start: datetime,
) -> uuid.UUID:
    booked = await booking.book(
        uow,
        actor=await actor_of(uow, parent),
        choice=BookingChoice(cast.world.coach.id, athlete, start, 60, "group"),
        now=datetime.now(UTC),
        slots=services.slots,
    )
    return booked.session.id


async def cancel(uow: UnitOfWork, services: Services, parent: User, session_id: uuid.UUID) -> None:
    await session_changes.cancel(
        uow,
        actor=await actor_of(uow, parent),
        session_id=session_id,
        now=datetime.now(UTC),
        slots=services.slots,
        refund=services.cancellation_refund,
    )


async def participants(uow: UnitOfWork, session_id: uuid.UUID) -> set[uuid.UUID]:
    async with uow as tx:
        rows = await tx.session.scalars(
            select(SessionParticipant.athlete_id).where(SessionParticipant.session_id == session_id)
        )
        return set(rows)


async def test_a_full_group_offers_its_waitlist_and_a_freed_place_is_accepted_in_the_chat(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await booking_cast(emulator, uow, rules=GROUP_OF_TWO)
    gus, ben = await family(uow, "Gus", "Ben")
    day = weekday_ahead()
    start = coach_instant(day, 16)
    async with run_bot(emulator) as app:
        await open_chats(cast.cora, cast.pia)
        await book_until_summary(cast.pia, day, "16:00")
        # Meanwhile two other families fill the group.
        session_id = await book_group(uow, services, cast, gus, ben, start)
        await book_group(
            uow, services, cast, cast.world.other_parent, cast.world.other_child.id, start
        )
        await cast.pia.press(CONFIRM)
        full = await cast.pia.expect("edit", contains="This group session is full")
        await cast.pia.press(JOIN, full)
        place = await cast.pia.expect("edit", contains="Kim is number 1 in line")
        assert "Leave the waitlist" in str(place["reply_markup"])

        await cast.pia.send("/waitlist")
        await cast.pia.expect_reply(contains="Kim is number 1 in line")
        await cast.cora.send("/waitlist")
        coach_view = await cast.cora.expect_reply(contains="Waitlist of your group session")
        assert "1. Kim" in coach_view["text"]

        await cancel(uow, services, gus, session_id)  # Ben's place frees
        await offer_waitlist_places(BotContext(app))
        await send_due_notifications(BotContext(app))
        offer = await cast.pia.expect_reply(contains="offered to Kim")
        await cast.pia.press(ACCEPT, offer)
        await cast.pia.expect("edit", contains="Kim has the place")
    assert await participants(uow, session_id) == {cast.world.child.id, cast.world.other_child.id}


async def test_an_unanswered_offer_expires_on_a_frozen_clock_and_passes_to_the_next(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await booking_cast(emulator, uow, rules=GROUP_OF_TWO)
    async with uow as tx:  # nobody's quiet hours hold an offer back here
        await tx.session.execute(update(User).values(quiet_from=time(0), quiet_until=time(0)))
        await tx.commit()
    gus, ben = await family(uow, "Gus", "Ben")
    hal, eve = await family(uow, "Hal", "Eve")
    start = coach_instant(weekday_ahead(), 16)
    session_id = await book_group(uow, services, cast, gus, ben, start)
    await book_group(uow, services, cast, hal, eve, start)
    now = datetime.now(UTC)
    for parent, child in (
        (cast.world.parent, cast.world.child),
        (cast.world.other_parent, cast.world.other_child),
    ):
        await waitlist.join(
            uow,
            actor=await actor_of(uow, parent),
            session_id=session_id,
            athlete_id=child.id,
            now=now,
        )
    await cancel(uow, services, gus, session_id)
    async with run_bot(emulator) as app:
        await open_chats(cast.pia, cast.omar)
        context = BotContext(app)
        await offer_waitlist_places(context, now=now)
        await send_due_notifications(context, now=now)
        kims = await cast.pia.expect_reply(contains="offered to Kim")

        later = now + timedelta(hours=services.waitlist_offer_hours, minutes=1)
        await offer_waitlist_places(context, now=later)
        await send_due_notifications(context, now=later)
        leas = await cast.omar.expect_reply(contains="offered to Lea")
        # Omar forges a press of Kim's Accept: refused, nothing changes.
        await press_data(emulator, cast.omar, leas, buttons(kims)[ACCEPT])
        await cast.omar.expect("callback_answer", contains="isn't available")
        await cast.pia.press(ACCEPT, kims)
        await cast.pia.expect("edit", contains="the time to accept this place has passed")
        await cast.omar.press(ACCEPT, leas)
        await cast.omar.expect("edit", contains="Lea has the place")
    assert await participants(uow, session_id) == {eve, cast.world.other_child.id}

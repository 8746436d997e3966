"""Seats and a waitlist (issue 19, item 4): the line's order, offers passing on when declined or
expired, who may answer, and concurrent accepts of one freed place, against real Postgres."""

from __future__ import annotations

import asyncio
import json
import shutil
import uuid
import zipfile
from dataclasses import dataclass
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select, update

from bot.wiring import Services
from domain.actors import actor_for_user
from domain.booking import book as booking
from domain.booking import changes as session_changes
from domain.booking import waitlist
from domain.booking.book import BookingChoice
from domain.booking.rules import GroupFull
from domain.booking.slot_cache import SlotCache
from domain.errors import NotAllowed
from domain.models import Athlete, Notification, TrainingSession, User, WaitlistEntry
from domain.payments.records import refund_for_cancellation
from domain.policy import Actor
from domain.privacy import export
from domain.privacy.erasure import GRACE, erase_due, request_erasure
from domain.uow import UnitOfWork
from tests.domain.admin.test_suspension import NoSlotCache
from tests.factories import BOOKING_NOW, BookingWorld, booking_world

NOW = BOOKING_NOW  # Monday 2026-12-07 08:00 UTC
TUESDAY_4PM = NOW + timedelta(days=1, hours=7)  # 16:00 in Berlin
HOURS = 12


@dataclass
class Group:
    """A full group session of two (Kim, Pia's; Lea, Omar's), Pia's Max and Omar's Zoe."""

    world: BookingWorld
    session_id: uuid.UUID
    max_id: uuid.UUID
    zoe_id: uuid.UUID
    pia: Actor
    omar: Actor
    services: Services
    slots: SlotCache

    async def book(self, uow: UnitOfWork, actor: Actor, athlete_id: uuid.UUID) -> uuid.UUID:
        booked = await booking.book(
            uow,
            actor=actor,
            choice=BookingChoice(self.world.coach.id, athlete_id, self.start, 60, "group"),
            now=NOW,
            slots=self.slots,
        )
        return booked.session.id

    start: datetime = TUESDAY_4PM

    async def lea_cancels(self, uow: UnitOfWork) -> None:
        """Omar cancels Lea's place: Kim stays, so the session goes on with a place free."""
        await session_changes.cancel(
            uow,
            actor=self.omar,
            session_id=self.session_id,
            now=NOW,
            slots=self.slots,
            refund=self.services.cancellation_refund,
        )


async def child_of(uow: UnitOfWork, parent: User, name: str) -> uuid.UUID:
    async with uow as tx:
        user = tx.users.add(User(role="athlete", first_name=name))
        await tx.flush()
        athlete = tx.athletes.add(
            Athlete(user_id=user.id, parent_id=parent.id, primary_sport="tennis")
        )
        await tx.commit()
    return athlete.id


async def actor_of(uow: UnitOfWork, user: User) -> Actor:
    async with uow as tx:
        return await actor_for_user(tx, await tx.users.get(user.id))


async def full_group(uow: UnitOfWork, services: Services, start: datetime = TUESDAY_4PM) -> Group:
    world = await booking_world(
        uow, rules={"session_types": ["group"], "group_capacity": 2, "auto_accept": True}
    )
    max_id = await child_of(uow, world.parent, "Max")
    zoe_id = await child_of(uow, world.other_parent, "Zoe")
    pia, omar = await actor_of(uow, world.parent), await actor_of(uow, world.other_parent)
    slots = SlotCache(services.uow, services.cache, services.keys)
    group = Group(world, uuid.uuid4(), max_id, zoe_id, pia, omar, services, slots, start)
    group.session_id = await group.book(uow, pia, world.child.id)
    await group.book(uow, omar, world.other_child.id)
    return group


async def offer(uow: UnitOfWork, now: datetime = NOW) -> waitlist.Offered:
    return await waitlist.offer_free_places(uow, now=now, offer_hours=HOURS)


async def offers(uow: UnitOfWork) -> list[Notification]:
    async with uow as tx:
        query = select(Notification).where(Notification.kind == "seat_offer")
        return list((await tx.session.scalars(query.order_by(Notification.created_at))).all())


async def participants(uow: UnitOfWork, session_id: uuid.UUID) -> int:
    async with uow as tx:
        session = await tx.session.get(TrainingSession, session_id)
        assert session is not None
        return session.participant_count


async def test_a_full_group_refuses_a_booking_and_its_line_keeps_the_order_joined(
    uow: UnitOfWork, services: Services
) -> None:
    group = await full_group(uow, services)

    with pytest.raises(GroupFull) as full:
        await group.book(uow, group.pia, group.max_id)
    max_place = await waitlist.join(
        uow, actor=group.pia, session_id=full.value.session_id, athlete_id=group.max_id, now=NOW
    )
    zoe_place = await waitlist.join(
        uow, actor=group.omar, session_id=group.session_id, athlete_id=group.zoe_id, now=NOW
    )
    again = await waitlist.join(
        uow, actor=group.pia, session_id=group.session_id, athlete_id=group.max_id, now=NOW
    )

    assert (max_place.position, zoe_place.position) == (1, 2)
    assert again.entry_id == max_place.entry_id and again.position == 1
    coach = await actor_of(uow, group.world.coach_user)
    (line,) = (await waitlist.lines(uow, actor=coach, now=NOW)).sessions
    assert [person.athlete_name for person in line.waiting] == ["Max", "Zoe"]
    # Each family sees its own place only.
    omars = await waitlist.lines(uow, actor=group.omar, now=NOW)
    assert [(p.athlete_name, p.position) for p in omars.places] == [("Zoe", 2)]
    # Max leaves: Zoe moves up.
    await waitlist.leave(uow, actor=group.pia, entry_id=max_place.entry_id, now=NOW)
    omars = await waitlist.lines(uow, actor=group.omar, now=NOW)
    assert [(p.athlete_name, p.position) for p in omars.places] == [("Zoe", 1)]


async def test_a_freed_place_is_offered_to_the_first_in_line_and_accepting_takes_it(
    uow: UnitOfWork, services: Services
) -> None:
    group = await full_group(uow, services)
    max_place = await waitlist.join(
        uow, actor=group.pia, session_id=group.session_id, athlete_id=group.max_id, now=NOW
    )
    await waitlist.join(
        uow, actor=group.omar, session_id=group.session_id, athlete_id=group.zoe_id, now=NOW
    )
    assert (await offer(uow)).offered == 0  # nothing free yet

    await group.lea_cancels(uow)
    # A booker cannot take the place from the families in line.
    with pytest.raises(GroupFull):
        await group.book(uow, group.omar, group.world.other_child.id)
    run, again = await offer(uow), await offer(uow)

    assert (run.offered, again.offered) == (1, 0)
    (sent,) = await offers(uow)
    assert sent.recipient_id == group.world.parent.id and sent.payload["athlete"] == "Max"
    assert sent.dedup_key.startswith("seat_offer:")
    until = datetime.fromisoformat(sent.payload["expires_at"])
    assert until == NOW + timedelta(hours=HOURS)
    (button_row,) = sent.payload["buttons"]
    assert [b["button"] for b in button_row] == [waitlist.ACCEPT, waitlist.DECLINE]
    # Only Max's family answers.
    with pytest.raises(NotAllowed):
        await waitlist.accept(uow, actor=group.omar, entry_id=max_place.entry_id, now=NOW)

    answered = await waitlist.accept(uow, actor=group.pia, entry_id=max_place.entry_id, now=NOW)
    twice = await waitlist.accept(uow, actor=group.pia, entry_id=max_place.entry_id, now=NOW)

    assert answered.accepted and twice.accepted
    assert await participants(uow, group.session_id) == 2
    async with uow as tx:
        session = await tx.session.get(TrainingSession, group.session_id)
        assert session is not None and session.participant_count == session.capacity


async def test_an_expired_offer_passes_to_the_next_and_accepting_late_is_refused(
    uow: UnitOfWork, services: Services
) -> None:
    group = await full_group(uow, services)
    max_place = await waitlist.join(
        uow, actor=group.pia, session_id=group.session_id, athlete_id=group.max_id, now=NOW
    )
    zoe_place = await waitlist.join(
        uow, actor=group.omar, session_id=group.session_id, athlete_id=group.zoe_id, now=NOW
    )
    await group.lea_cancels(uow)
    await offer(uow)

    later = NOW + timedelta(hours=HOURS, minutes=1)
    run = await offer(uow, later)

    assert (run.expired, run.offered) == (1, 1)
    _, to_zoe = await offers(uow)
    assert to_zoe.recipient_id == group.world.other_parent.id
    assert to_zoe.payload["athlete"] == "Zoe"
    with pytest.raises(waitlist.OfferExpired):
        await waitlist.accept(uow, actor=group.pia, entry_id=max_place.entry_id, now=later)
    zoe = await waitlist.accept(uow, actor=group.omar, entry_id=zoe_place.entry_id, now=later)
    assert zoe.accepted
    assert await participants(uow, group.session_id) == 2


async def test_a_declined_offer_passes_to_the_next_in_line(
    uow: UnitOfWork, services: Services
) -> None:
    group = await full_group(uow, services)
    max_place = await waitlist.join(
        uow, actor=group.pia, session_id=group.session_id, athlete_id=group.max_id, now=NOW
    )
    await waitlist.join(
        uow, actor=group.omar, session_id=group.session_id, athlete_id=group.zoe_id, now=NOW
    )
    await group.lea_cancels(uow)
    await offer(uow)

    await waitlist.decline(uow, actor=group.pia, entry_id=max_place.entry_id, now=NOW)
    run = await offer(uow)

    assert run.offered == 1
    assert [n.payload["athlete"] for n in await offers(uow)] == ["Max", "Zoe"]
    with pytest.raises(waitlist.OfferGone):
        await waitlist.accept(uow, actor=group.pia, entry_id=max_place.entry_id, now=NOW)


async def test_an_offer_closes_before_a_session_soon_and_is_not_made_too_late(
    uow: UnitOfWork, services: Services
) -> None:
    group = await full_group(uow, services)
    for actor, athlete in ((group.pia, group.max_id), (group.omar, group.zoe_id)):
        await waitlist.join(
            uow, actor=actor, session_id=group.session_id, athlete_id=athlete, now=NOW
        )
    await group.lea_cancels(uow)
    too_late = TUESDAY_4PM - waitlist.CLOSES_BEFORE - timedelta(minutes=10)
    soon = TUESDAY_4PM - timedelta(hours=5)

    assert (await offer(uow, too_late)).offered == 0
    assert (await offer(uow, soon)).offered == 1
    (sent,) = await offers(uow)
    # Five hours ahead: the offer closes an hour before the start, not twelve hours on.
    assert datetime.fromisoformat(sent.payload["expires_at"]) == TUESDAY_4PM - timedelta(hours=1)
    # Once the session begins, Max's offer has expired and Zoe's place in line is closed.
    at_start = await offer(uow, TUESDAY_4PM)
    assert (at_start.expired, at_start.closed, at_start.offered) == (1, 1, 0)


async def test_the_hours_to_answer_count_from_the_end_of_the_familys_quiet_hours(
    uow: UnitOfWork, services: Services
) -> None:
    wednesday = TUESDAY_4PM + timedelta(days=1)
    group = await full_group(uow, services, start=wednesday)
    async with uow as tx:
        await tx.session.execute(
            update(User)
            .where(User.id == group.world.other_parent.id)
            .values(timezone="UTC", quiet_from=time(22), quiet_until=time(7))
        )
        await tx.commit()
    await waitlist.join(
        uow, actor=group.omar, session_id=group.session_id, athlete_id=group.zoe_id, now=NOW
    )
    await group.lea_cancels(uow)
    night = NOW.replace(hour=23)  # Monday 23:00 UTC: Omar is asleep until 07:00

    await offer(uow, night)

    (sent,) = await offers(uow)
    tuesday_7am = NOW.replace(hour=7) + timedelta(days=1)
    assert sent.due_at == night  # queued now; the outbox holds it until he is awake
    assert datetime.fromisoformat(sent.payload["expires_at"]) == tuesday_7am + timedelta(
        hours=HOURS
    )


RACERS = 40


async def test_concurrent_accepts_of_one_freed_place_have_exactly_one_winner(
    uow: UnitOfWork, services: Services
) -> None:
    group = await full_group(uow, services)
    children = [await child_of(uow, group.world.parent, f"Kid{n}") for n in range(RACERS)]
    pia = await actor_of(uow, group.world.parent)  # with her new children
    entries = [
        (
            await waitlist.join(
                uow, actor=pia, session_id=group.session_id, athlete_id=child, now=NOW
            )
        ).entry_id
        for child in children
    ]
    await group.lea_cancels(uow)
    # As if every one of them had been offered the one place (a forged or mistaken offer).
    async with uow as tx:
        await tx.session.execute(
            update(WaitlistEntry)
            .where(WaitlistEntry.id.in_(entries))
            .values(status="offered", offered_at=NOW, offer_expires_at=NOW + timedelta(hours=1))
        )
        await tx.commit()

    results = await asyncio.gather(
        *(waitlist.accept(uow, actor=pia, entry_id=e, now=NOW) for e in entries),
        return_exceptions=True,
    )

    winners = [r for r in results if isinstance(r, waitlist.Answered)]
    assert len(winners) == 1
    assert all(isinstance(r, waitlist.PlaceTaken) for r in results if r not in winners)
    assert await participants(uow, group.session_id) == 2
    async with uow as tx:
        statuses = (
            await tx.session.scalars(
                select(WaitlistEntry.status).where(WaitlistEntry.id.in_(entries))
            )
        ).all()
    assert sorted(set(statuses)) == ["accepted", "waiting"]


async def test_mydata_carries_a_place_in_line_and_erasure_removes_it(
    uow: UnitOfWork, services: Services
) -> None:
    group = await full_group(uow, services)
    await waitlist.join(
        uow, actor=group.omar, session_id=group.session_id, athlete_id=group.zoe_id, now=NOW
    )

    made = await export.export_my_data(
        uow, actor=group.omar, storage=services.storage, box=services.secrets, now=NOW
    )
    try:
        with zipfile.ZipFile(made.path) as archive:
            (place,) = json.loads(archive.read("waitlists.json"))
        assert (place["athlete_id"], place["status"]) == (str(group.zoe_id), "waiting")
    finally:
        shutil.rmtree(made.path.parent)
    await request_erasure(uow, actor=group.omar, now=NOW)
    erased = await erase_due(
        uow, storage=services.storage, refund=refund_for_cancellation, slots=NoSlotCache(),
        now=NOW + GRACE,
    )  # fmt: skip

    assert len(erased) == 1
    async with uow as tx:
        assert await tx.session.scalar(select(func.count()).select_from(WaitlistEntry)) == 0


async def test_those_in_line_hear_when_the_session_is_called_off(
    uow: UnitOfWork, services: Services
) -> None:
    group = await full_group(uow, services)
    await waitlist.join(
        uow, actor=group.omar, session_id=group.session_id, athlete_id=group.zoe_id, now=NOW
    )
    await group.lea_cancels(uow)
    await offer(uow)  # Zoe is offered Lea's place and lets it lie
    await session_changes.cancel(  # Kim's place, the last: the session is off
        uow,
        actor=group.pia,
        session_id=group.session_id,
        now=NOW,
        slots=group.slots,
        refund=services.cancellation_refund,
    )

    run = await offer(uow, NOW + timedelta(minutes=1))
    await offer(uow, NOW + timedelta(minutes=2))

    assert run.closed == 1
    async with uow as tx:
        told = list(
            await tx.session.scalars(
                select(Notification).where(Notification.kind == "seat_line_closed")
            )
        )
    assert [(n.recipient_id, n.payload["athlete"]) for n in told] == [
        (group.world.other_parent.id, "Zoe")
    ]

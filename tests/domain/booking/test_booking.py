"""Booking through the domain service, against the real database and Redis."""

from __future__ import annotations

import asyncio
import contextlib
import json
from datetime import UTC, datetime, time, timedelta
from decimal import Decimal
from functools import partial

import pytest
from icalendar import Calendar
from sqlalchemy import func, select

from bot.wiring import Services
from domain.actors import actor_for_user
from domain.booking import book as booking
from domain.booking import changes as session_changes
from domain.booking import outcomes as session_outcomes
from domain.booking.book import BookingChoice, BookingRefused, SlotUnavailable
from domain.booking.rules import GroupFull
from domain.booking.sessions import LoadedSession, load_session
from domain.booking.slot_cache import SlotCache
from domain.errors import Contended, NotAllowed, SlotTaken
from domain.models import (
    Athlete,
    AthleteLink,
    Notification,
    PaymentStatus,
    SessionSeries,
    TrainingSession,
    User,
)
from domain.payments.records import refund_for_cancellation
from domain.policy import Actor
from domain.uow import Transaction, UnitOfWork
from tests.factories import BOOKING_NOW, BookingWorld, booking_world, session_at

# Monday 2026-12-07, 16:00 in Berlin (UTC+1).
MONDAY_4PM = datetime(2026, 12, 7, 15, 0, tzinfo=UTC)
TUESDAY_4PM = MONDAY_4PM + timedelta(days=1)


def slot_cache(services: Services) -> SlotCache:
    return SlotCache(services.uow, services.cache, services.keys)


async def actor(uow: UnitOfWork, user: User) -> Actor:
    async with uow as tx:
        return await actor_for_user(tx, await tx.users.get(user.id))


def choice(world: BookingWorld, start: datetime = MONDAY_4PM, **changes: object) -> BookingChoice:
    fields: dict[str, object] = {
        "coach_id": world.coach.id,
        "athlete_id": world.child.id,
        "start": start,
        "length_minutes": 60,
        "session_type": "individual",
        **changes,
    }
    return BookingChoice(**fields)  # type: ignore[arg-type]


async def notices(uow: UnitOfWork, kind: str | None = None) -> list[Notification]:
    async with uow as tx:
        query = select(Notification).order_by(Notification.kind, Notification.due_at)
        if kind:
            query = query.where(Notification.kind == kind)
        return list((await tx.session.scalars(query)).all())


async def test_a_parent_books_for_a_child_and_the_coach_is_asked(
    uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(uow)
    parent = await actor(uow, world.parent)

    booked = await booking.book(
        uow, actor=parent, choice=choice(world), now=BOOKING_NOW, slots=slot_cache(services)
    )

    assert booked.needs_acceptance and booked.session.status == "requested"
    assert booked.session.price == Decimal("40.00")
    assert booked.session.payment_status == "pending"
    (request,) = await notices(uow, "booking_request")
    assert request.recipient_id == world.coach_user.id
    assert [b["button"] for b in request.payload["buttons"][0]] == [
        "session.accept",
        "session.decline",
    ]
    assert {b["session_id"] for b in request.payload["buttons"][0]} == {str(booked.session.id)}
    # Pia's own flow answers her; nobody else on Kim's side is a guardian here.
    assert await notices(uow, "booking_requested") == []
    assert await notices(uow, "reminder_24h") == []


async def test_the_request_reaches_the_other_guardian_but_not_the_parent_who_booked(
    uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(uow)
    async with uow as tx:
        dad = tx.users.add(User(role="parent", first_name="Dan", telegram_user_id=990001))
        await tx.flush()
        tx.session.add(AthleteLink(athlete_id=world.child.id, user_id=dad.id, relation="guardian"))
        await tx.commit()

    await booking.book(
        uow,
        actor=await actor(uow, world.parent),
        choice=choice(world),
        now=BOOKING_NOW,
        slots=slot_cache(services),
    )

    (told,) = await notices(uow, "booking_requested")
    assert told.recipient_id == dad.id


async def test_accepting_confirms_sends_calendar_files_and_plans_reminders(
    uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(uow)
    slots = slot_cache(services)
    booked = await booking.book(
        uow,
        actor=await actor(uow, world.parent),
        choice=choice(world),
        now=BOOKING_NOW,
        slots=slots,
    )
    coach = await actor(uow, world.coach_user)

    changed = await session_changes.decide(
        uow,
        actor=coach,
        session_id=booked.session.id,
        accept=True,
        now=BOOKING_NOW,
        slots=slots,
        refund=refund_for_cancellation,
    )

    assert changed.session.status == "scheduled"
    (accepted,) = await notices(uow, "booking_accepted")
    ics = Calendar.from_ical(accepted.payload["document"]["content"])
    event = ics.walk("VEVENT")[0]
    assert event.decoded("dtstart") == MONDAY_4PM
    assert str(event["uid"]) == f"{booked.session.id}@sportscenter"
    # 16:00 is 7 h after "now": the 24 h reminder is already past, the 1 h one is not.
    assert await notices(uow, "reminder_24h") == []
    one_hour = await notices(uow, "reminder_1h")
    assert {n.recipient_id for n in one_hour} == {world.parent.id, world.coach_user.id}
    assert {n.due_at for n in one_hour} == {MONDAY_4PM - timedelta(hours=1)}
    (followup,) = await notices(uow, "session_followup")
    assert followup.due_at == MONDAY_4PM + timedelta(minutes=75)

    with pytest.raises(BookingRefused) as second_press:
        await session_changes.decide(
            uow,
            actor=coach,
            session_id=booked.session.id,
            accept=False,
            now=BOOKING_NOW,
            slots=slots,
            refund=refund_for_cancellation,
        )
    assert second_press.value.message_key == "booking.error.already_decided"


async def test_auto_accept_confirms_at_once(uow: UnitOfWork, services: Services) -> None:
    world = await booking_world(uow, rules={"auto_accept": True})
    booked = await booking.book(
        uow,
        actor=await actor(uow, world.parent),
        choice=choice(world, MONDAY_4PM + timedelta(days=1)),
        now=BOOKING_NOW,
        slots=slot_cache(services),
    )
    assert booked.session.status == "scheduled" and not booked.needs_acceptance
    assert len(await notices(uow, "reminder_24h")) == 2


@pytest.mark.parametrize(
    ("start", "key"),
    [
        (BOOKING_NOW - timedelta(hours=1), "booking.error.in_past"),
        (BOOKING_NOW + timedelta(minutes=30), "booking.error.too_soon"),
        (MONDAY_4PM + timedelta(days=60), "booking.error.too_far"),
        (MONDAY_4PM - timedelta(hours=3), "booking.error.outside_hours"),
        (MONDAY_4PM + timedelta(minutes=10), "booking.error.outside_hours"),
    ],
)
async def test_slots_the_rules_do_not_offer_are_refused(
    uow: UnitOfWork, services: Services, start: datetime, key: str
) -> None:
    world = await booking_world(uow)
    with pytest.raises(BookingRefused) as refused:
        await booking.book(
            uow,
            actor=await actor(uow, world.parent),
            choice=choice(world, start),
            now=BOOKING_NOW,
            slots=slot_cache(services),
        )
    assert refused.value.message_key == key
    async with uow as tx:
        assert await tx.session.scalar(select(func.count(TrainingSession.id))) == 0


async def test_an_unverified_coach_and_someone_elses_child_are_refused(
    uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(uow, verified=False)
    parent = await actor(uow, world.parent)
    with pytest.raises(BookingRefused) as refused:
        await booking.book(
            uow, actor=parent, choice=choice(world), now=BOOKING_NOW, slots=slot_cache(services)
        )
    assert refused.value.message_key == "booking.error.coach_unavailable"
    with pytest.raises(NotAllowed):
        await booking.book(
            uow,
            actor=parent,
            choice=choice(world, athlete_id=world.other_child.id),
            now=BOOKING_NOW,
            slots=slot_cache(services),
        )


async def test_two_hundred_concurrent_attempts_for_one_slot_make_one_session(
    services: Services, uow: UnitOfWork
) -> None:
    world = await booking_world(uow)
    parents = [await actor(uow, world.parent), await actor(uow, world.other_parent)]
    children = [world.child.id, world.other_child.id]
    slots = slot_cache(services)

    async def attempt(n: int) -> str:
        try:
            await booking.book(
                uow,
                actor=parents[n % 2],
                choice=choice(world, athlete_id=children[n % 2]),
                now=BOOKING_NOW,
                slots=slots,
            )
        except SlotUnavailable:
            return "taken"
        return "booked"

    outcomes = await asyncio.gather(*(attempt(n) for n in range(200)))

    async with uow as tx:
        assert await tx.session.scalar(select(func.count(TrainingSession.id))) == 1
    # The winner's own repeats are recognised as theirs (a double tap), the rest are refused.
    assert outcomes.count("taken") >= 99


async def test_a_booking_that_loses_a_deadlock_is_tried_again(
    services: Services, uow: UnitOfWork, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Concurrent inserts into one slot can deadlock inside the exclusion check; Postgres
    # aborts one of them, and that person must get an answer about the slot, not "busy".
    world = await booking_world(uow)
    real_insert = booking.insert_booking
    calls = 0

    async def deadlocked_once(*args: object, **kwargs: object) -> object:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise Contended("40P01")
        return await real_insert(*args, **kwargs)

    monkeypatch.setattr(booking, "insert_booking", deadlocked_once)
    booked = await booking.book(
        uow,
        actor=await actor(uow, world.parent),
        choice=choice(world),
        now=BOOKING_NOW,
        slots=slot_cache(services),
    )

    assert calls == 2
    async with uow as tx:
        assert await tx.session.scalar(select(func.count(TrainingSession.id))) == 1
    assert booked.session.athlete_ids == (world.child.id,)


async def test_a_taken_slot_offers_the_nearest_free_ones(
    uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(uow)
    slots = slot_cache(services)
    await booking.book(
        uow,
        actor=await actor(uow, world.parent),
        choice=choice(world),
        now=BOOKING_NOW,
        slots=slots,
    )
    with pytest.raises(SlotUnavailable) as taken:
        await booking.book(
            uow,
            actor=await actor(uow, world.other_parent),
            choice=choice(world, athlete_id=world.other_child.id),
            now=BOOKING_NOW,
            slots=slots,
        )
    starts = [slot.start for slot in taken.value.nearest]
    assert starts == [
        MONDAY_4PM + timedelta(hours=1),
        MONDAY_4PM + timedelta(hours=2),
        MONDAY_4PM + timedelta(hours=3),
    ]


async def test_a_double_tap_returns_the_same_booking(uow: UnitOfWork, services: Services) -> None:
    world = await booking_world(uow)
    parent = await actor(uow, world.parent)
    slots = slot_cache(services)
    first = await booking.book(
        uow, actor=parent, choice=choice(world), now=BOOKING_NOW, slots=slots
    )
    again = await booking.book(
        uow, actor=parent, choice=choice(world), now=BOOKING_NOW, slots=slots
    )
    assert again.already_booked and again.session.id == first.session.id
    assert len(await notices(uow, "booking_request")) == 1


async def test_group_sessions_fill_up_to_capacity_and_no_further(
    uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(
        uow, rules={"session_types": ["individual", "group"], "group_capacity": 2}
    )
    async with uow as tx:
        gus = tx.users.add(User(role="parent", first_name="Gus", telegram_user_id=990002))
        await tx.flush()
        link = AthleteLink(athlete_id=world.other_child.id, user_id=gus.id, relation="guardian")
        tx.session.add(link)
        await tx.commit()
    slots = slot_cache(services)
    group = {"session_type": "group"}
    first = await booking.book(
        uow,
        actor=await actor(uow, world.parent),
        choice=choice(world, **group),
        now=BOOKING_NOW,
        slots=slots,
    )
    second = await booking.book(
        uow,
        actor=await actor(uow, world.other_parent),
        choice=choice(world, athlete_id=world.other_child.id, **group),
        now=BOOKING_NOW,
        slots=slots,
    )
    assert second.joined_group and second.session.id == first.session.id
    assert second.session.participant_count == 2
    assert set(second.session.athlete_names) == {"Kim", "Lea"}
    # Each family reads its own child's name only (Omar's flow answered him; Lea's other
    # guardian hears it here); the coach reads both.
    to_lea_side = [n for n in await notices(uow) if n.recipient_id == gus.id]
    assert to_lea_side and all("Kim" not in json.dumps(n.payload) for n in to_lea_side)
    requests = await notices(uow, "booking_request")
    assert {r.payload["athlete"] for r in requests} == {"Kim", "Kim, Lea"}
    # A third athlete (a sibling) finds the group full (and may wait in its line).
    async with uow as tx:
        sibling_user = tx.users.add(User(role="athlete", first_name="Max"))
        await tx.flush()
        sibling = tx.athletes.add(
            Athlete(user_id=sibling_user.id, parent_id=world.parent.id, primary_sport="tennis")
        )
        await tx.commit()
    with pytest.raises(GroupFull):
        await booking.book(
            uow,
            actor=await actor(uow, world.parent),
            choice=choice(world, athlete_id=sibling.id, **group),
            now=BOOKING_NOW,
            slots=slots,
        )


async def test_a_group_sessions_time_is_offered_to_group_bookers_while_a_series_time_is_not(
    uow: UnitOfWork, services: Services
) -> None:
    # A booked group's time is busy for the coach; a family choosing "Group" still has to be
    # able to pick it, to join it (or, once full, to wait in its line).
    world = await booking_world(
        uow, rules={"session_types": ["individual", "group"], "group_capacity": 1}
    )
    slots = slot_cache(services)
    await booking.book(
        uow,
        actor=await actor(uow, world.parent),
        choice=choice(world, session_type="group"),
        now=BOOKING_NOW,
        slots=slots,
    )
    practice = MONDAY_4PM + timedelta(hours=2)  # a weekly practice's group occurrence
    async with uow as tx:
        series = SessionSeries(
            coach_id=world.coach.id,
            athlete_id=world.child.id,
            title="Practice",
            weekdays=[0],
            local_time=time(18),
            timezone="Europe/Berlin",
            length_minutes=60,
            season_start=MONDAY_4PM.date(),
            season_end=MONDAY_4PM.date() + timedelta(days=30),
        )
        tx.session.add(series)
        await tx.flush()
        tx.sessions.add(
            TrainingSession(
                coach_id=world.coach.id,
                session_type="group",
                start_time=practice,
                end_time=practice + timedelta(hours=1),
                capacity=8,
                participant_count=0,
                series_id=series.id,
            )
        )
        await tx.commit()

    async def starts(**kind: str) -> list[datetime]:
        found = await slots.free_slots_on(
            coach_id=world.coach.id,
            day=MONDAY_4PM.date(),
            length_minutes=60,
            now=BOOKING_NOW,
            **kind,
        )
        return [slot.start for slot in found]

    group_times = await starts(session_type="group")
    assert MONDAY_4PM in group_times and group_times == sorted(group_times)
    assert practice not in group_times
    assert MONDAY_4PM not in await starts(session_type="individual")
    assert MONDAY_4PM not in await starts()


async def test_free_and_late_cancellation_follow_the_coach_policy(
    uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(uow, rules={"auto_accept": True, "free_cancel_hours": 24})
    parent = await actor(uow, world.parent)
    slots = slot_cache(services)
    booked = await booking.book(
        uow, actor=parent, choice=choice(world), now=BOOKING_NOW, slots=slots
    )

    with pytest.raises(session_changes.LateCancellation):
        await session_changes.cancel(
            uow,
            actor=parent,
            session_id=booked.session.id,
            now=BOOKING_NOW,
            slots=slots,
            refund=services.cancellation_refund,
        )
    changed = await session_changes.cancel(
        uow,
        actor=parent,
        session_id=booked.session.id,
        now=BOOKING_NOW,
        slots=slots,
        refund=services.cancellation_refund,
        accept_fee=True,
    )

    assert changed.fee_due and changed.session.status == "cancelled"
    assert changed.session.payment_status == "pending"
    assert world.coach_user.id in changed.notified
    (cancelled,) = await notices(uow, "session_cancelled")
    ics = Calendar.from_ical(cancelled.payload["document"]["content"])
    assert str(ics["method"]) == "CANCEL" and int(ics.walk("VEVENT")[0]["sequence"]) == 1
    # Planned reminders of a cancelled session are gone; the slot is free again at once.
    assert await notices(uow, "reminder_1h") == []
    free = await slots.free_slots_on(
        coach_id=world.coach.id, day=MONDAY_4PM.date(), length_minutes=60, now=BOOKING_NOW
    )
    assert MONDAY_4PM in [slot.start for slot in free]


async def test_a_cancellation_hands_the_cancelled_session_to_the_refund_it_is_given(
    uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(uow, rules={"auto_accept": True})
    slots = slot_cache(services)
    parent, coach = await actor(uow, world.parent), await actor(uow, world.coach_user)
    booked = await booking.book(
        uow, actor=parent, choice=choice(world), now=BOOKING_NOW, slots=slots
    )
    asked: list[tuple[object, ...]] = []

    async def refund(
        tx: Transaction, *, loaded: LoadedSession, late: bool, actor: Actor, now: datetime
    ) -> PaymentStatus | None:
        asked.append((loaded.session.id, loaded.session.status, late, actor.user_id, now))
        return PaymentStatus.REFUND_DUE

    changed = await session_changes.cancel(
        uow, actor=coach, session_id=booked.session.id, now=BOOKING_NOW, slots=slots, refund=refund
    )

    # Booking reaches payments only through this interface, inside the cancel transaction.
    assert asked == [(booked.session.id, "cancelled", False, world.coach_user.id, BOOKING_NOW)]
    assert changed.refund == PaymentStatus.REFUND_DUE


async def test_rescheduling_moves_the_session_with_a_higher_sequence(
    uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(uow, rules={"auto_accept": True})
    parent = await actor(uow, world.parent)
    slots = slot_cache(services)
    tuesday = MONDAY_4PM + timedelta(days=1)
    booked = await booking.book(
        uow, actor=parent, choice=choice(world, tuesday), now=BOOKING_NOW, slots=slots
    )
    before = await slots.free_slots_on(
        coach_id=world.coach.id, day=tuesday.date(), length_minutes=60, now=BOOKING_NOW
    )
    assert tuesday not in [slot.start for slot in before]

    changed = await session_changes.reschedule(
        uow,
        actor=parent,
        session_id=booked.session.id,
        new_start=tuesday + timedelta(hours=2),
        now=BOOKING_NOW,
        slots=slots,
    )

    assert changed.session.start == tuesday + timedelta(hours=2)
    assert changed.session.sequence == 1
    (moved,) = await notices(uow, "session_rescheduled")
    assert moved.recipient_id == world.coach_user.id
    event = Calendar.from_ical(moved.payload["document"]["content"]).walk("VEVENT")[0]
    assert int(event["sequence"]) == 1 and event.decoded("dtstart") == changed.session.start
    reminders = await notices(uow, "reminder_24h")
    assert {n.due_at for n in reminders} == {changed.session.start - timedelta(hours=24)}
    after = await slots.free_slots_on(
        coach_id=world.coach.id, day=tuesday.date(), length_minutes=60, now=BOOKING_NOW
    )
    assert tuesday in [slot.start for slot in after]


async def test_the_coach_closes_a_session_and_the_parent_rates_it(
    uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(uow, rules={"auto_accept": True})
    parent = await actor(uow, world.parent)
    booked = await booking.book(
        uow, actor=parent, choice=choice(world), now=BOOKING_NOW, slots=slot_cache(services)
    )
    coach = await actor(uow, world.coach_user)
    with pytest.raises(BookingRefused):
        await session_outcomes.record_outcome(
            uow, actor=coach, session_id=booked.session.id, outcome="completed", now=BOOKING_NOW
        )
    after = MONDAY_4PM + timedelta(hours=2)
    with pytest.raises(NotAllowed):
        await session_outcomes.record_outcome(
            uow, actor=parent, session_id=booked.session.id, outcome="completed", now=after
        )
    await session_outcomes.record_outcome(
        uow, actor=coach, session_id=booked.session.id, outcome="completed", now=after
    )
    await session_outcomes.add_coach_notes(
        uow, actor=coach, session_id=booked.session.id, notes="Work on the backhand."
    )
    rated = await session_outcomes.rate(
        uow, actor=parent, session_id=booked.session.id, rating=5, feedback="Great!"
    )
    assert [(r.rating, r.feedback) for r in rated.ratings] == [(5, "Great!")]
    assert rated.coach_notes == "Work on the backhand."
    async with uow as tx:
        coach_row = await tx.coaches.get(world.coach.id)
        assert (coach_row.rating, coach_row.total_reviews) == (Decimal("5.00"), 1)


async def test_each_family_in_a_group_rates_for_its_own_child_and_sees_only_that(
    uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(
        uow, rules={"auto_accept": True, "session_types": ["individual", "group"]}
    )
    pia, omar = await actor(uow, world.parent), await actor(uow, world.other_parent)
    group = {"session_type": "group"}
    slots = slot_cache(services)
    booked = await booking.book(
        uow, actor=pia, choice=choice(world, **group), now=BOOKING_NOW, slots=slots
    )
    lea = choice(world, athlete_id=world.other_child.id, **group)
    await booking.book(uow, actor=omar, choice=lea, now=BOOKING_NOW, slots=slots)
    coach, session_id = await actor(uow, world.coach_user), booked.session.id
    after = MONDAY_4PM + timedelta(hours=2)
    await session_outcomes.record_outcome(
        uow, actor=coach, session_id=session_id, outcome="completed", now=after
    )

    await session_outcomes.rate(uow, actor=pia, session_id=session_id, rating=5, feedback="Great!")
    by_omar = await session_outcomes.rate(
        uow, actor=omar, session_id=session_id, rating=2, feedback="Too crowded"
    )

    assert [(r.athlete_name, r.rating, r.feedback) for r in by_omar.ratings] == [
        ("Lea", 2, "Too crowded")
    ]
    async with uow as tx:
        loaded = await load_session(tx, session_id)
        coach_row = await tx.coaches.get(world.coach.id)
    assert [(r.athlete_name, r.rating, r.feedback) for r in loaded.view_for(pia).ratings] == [
        ("Kim", 5, "Great!")
    ]
    assert [(r.athlete_name, r.rating) for r in loaded.view_for(coach).ratings] == [
        ("Kim", 5),
        ("Lea", 2),
    ]
    assert (coach_row.rating, coach_row.total_reviews) == (Decimal("3.50"), 2)


async def test_a_move_is_offered_the_times_its_own_session_holds_and_can_take_them(
    uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(uow, rules={"auto_accept": True})
    tuesday = MONDAY_4PM + timedelta(days=1)
    off_grid = tuesday + timedelta(minutes=30)  # booked at 16:30, before the hours changed
    async with uow as tx:
        held = session_at(world.coach, world.child, off_grid, booked_by=world.parent.id)
        tx.sessions.add(held)
        await tx.commit()
    slots = slot_cache(services)
    lookup = partial(
        slots.free_slots_on,
        coach_id=world.coach.id,
        day=tuesday.date(),
        length_minutes=60,
        now=BOOKING_NOW,
    )

    for_others = {slot.start for slot in await lookup()}
    for_the_move = {slot.start for slot in await lookup(moving=held.id)}

    # 16:00-17:00 overlaps the session's own 16:30-17:30: free for its move, for nobody else.
    assert tuesday in for_the_move and tuesday not in for_others
    changed = await session_changes.reschedule(
        uow,
        actor=await actor(uow, world.parent),
        session_id=held.id,
        new_start=tuesday,
        now=BOOKING_NOW,
        slots=slots,
    )
    assert changed.session.start == tuesday


async def test_bookings_racing_for_slots_closer_than_the_buffer_land_one_per_pair(
    services: Services, uow: UnitOfWork
) -> None:
    # 16:00-17:00 and 17:00-18:00 touch; with 30 minutes after each session, only one fits.
    world = await booking_world(uow, rules={"auto_accept": True, "buffer_after": 30})
    parents = [await actor(uow, world.parent), await actor(uow, world.other_parent)]
    children = [world.child.id, world.other_child.id]
    slots = slot_cache(services)
    days = [MONDAY_4PM + timedelta(days=n) for n in range(5)]

    async def attempt(day: datetime, n: int) -> None:
        with contextlib.suppress(SlotUnavailable):
            await booking.book(
                uow,
                actor=parents[n],
                choice=choice(world, day + timedelta(hours=n), athlete_id=children[n]),
                now=BOOKING_NOW,
                slots=slots,
            )

    await asyncio.gather(*(attempt(day, n) for day in days for n in (0, 1)))

    async with uow as tx:
        starts = list(await tx.session.scalars(select(TrainingSession.start_time)))
    assert sorted(start.date() for start in starts) == [day.date() for day in days]


async def test_a_move_into_another_sessions_buffer_is_refused(
    uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(uow, rules={"auto_accept": True, "buffer_after": 30})
    # Tuesday: a move a day ahead is outside the free-cancellation window.
    parent, other = await actor(uow, world.parent), await actor(uow, world.other_parent)
    slots = slot_cache(services)
    kims = await booking.book(
        uow, actor=parent, choice=choice(world, TUESDAY_4PM), now=BOOKING_NOW, slots=slots
    )
    await booking.book(
        uow,
        actor=other,
        choice=choice(world, TUESDAY_4PM + timedelta(hours=3), athlete_id=world.other_child.id),
        now=BOOKING_NOW,
        slots=slots,
    )

    with pytest.raises((SlotUnavailable, SlotTaken)):  # 18:00 ends where Lea's 19:00 begins
        await session_changes.reschedule(
            uow,
            actor=parent,
            session_id=kims.session.id,
            new_start=TUESDAY_4PM + timedelta(hours=2),
            now=BOOKING_NOW,
            slots=slots,
        )
    # Its own buffer is no obstacle: half an hour later is fine.
    moved = await session_changes.reschedule(
        uow,
        actor=parent,
        session_id=kims.session.id,
        new_start=TUESDAY_4PM + timedelta(minutes=30),
        now=BOOKING_NOW,
        slots=slots,
    )
    assert moved.session.start == TUESDAY_4PM + timedelta(minutes=30)

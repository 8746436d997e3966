"""Invoices and payment prompts: planned when a priced session is confirmed, dropped when paid."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from bot.wiring import Services
from domain.actors import actor_for_user
from domain.booking import book as booking
from domain.booking import changes as session_changes
from domain.booking.book import BookingChoice
from domain.booking.payment_notices import (
    PAYMENT_KINDS,
    drop_payment_prompts,
    payment_notices,
)
from domain.booking.sessions import SessionView
from domain.models import Notification, TrainingSession, User
from domain.policy import Actor
from domain.uow import UnitOfWork
from tests.factories import BOOKING_NOW, BookingWorld, booking_world

NOW = BOOKING_NOW  # Monday 08:00 UTC
# Wednesday 16:00 in Berlin: two days and more ahead, so both prompts have their place.
WEDNESDAY_4PM = datetime(2026, 12, 9, 15, 0, tzinfo=UTC)
AUTO_ACCEPT = {"auto_accept": True}


async def actor(uow: UnitOfWork, user: User) -> Actor:
    async with uow as tx:
        return await actor_for_user(tx, await tx.users.get(user.id))


async def book(
    uow: UnitOfWork, services: Services, world: BookingWorld, **changes: object
) -> booking.Booked:
    fields: dict[str, object] = {
        "coach_id": world.coach.id,
        "athlete_id": world.child.id,
        "start": WEDNESDAY_4PM,
        "length_minutes": 60,
        "session_type": "individual",
        **changes,
    }
    choice = BookingChoice(**fields)  # type: ignore[arg-type]
    parent = await actor(uow, world.parent)
    return await booking.book(uow, actor=parent, choice=choice, now=NOW, slots=services.slots)


async def payment_rows(uow: UnitOfWork) -> list[Notification]:
    async with uow as tx:
        query = (
            select(Notification)
            .where(Notification.kind.in_(PAYMENT_KINDS))
            .order_by(Notification.due_at, Notification.kind)
        )
        return list((await tx.session.scalars(query)).all())


def view(start: datetime = WEDNESDAY_4PM, **changes: object) -> SessionView:
    fields: dict[str, object] = {
        "id": uuid.uuid4(),
        "coach_id": uuid.uuid4(),
        "coach_name": "Cora Klein",
        "athlete_names": ("Kim",),
        "athlete_ids": (uuid.uuid4(),),
        "session_type": "individual",
        "status": "scheduled",
        "start": start,
        "end": start + timedelta(hours=1),
        "price": Decimal("40.00"),
        "currency": "EUR",
        "payment_status": "pending",
        "location": "",
        "meeting_url": None,
        "capacity": 1,
        "participant_count": 1,
        "coach_notes": None,
        "ratings": (),
        "coach_timezone": "Europe/Berlin",
        "sequence": 0,
        **changes,
    }
    return SessionView(**fields)  # type: ignore[arg-type]


def planned(notices: list) -> list[tuple[str, datetime | None]]:
    return [(notice.kind, notice.due_at) for notice in notices]


async def test_an_auto_accepted_priced_booking_invoices_the_payer_and_plans_two_prompts(
    uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(uow, rules=AUTO_ACCEPT)

    booked = await book(uow, services, world)

    rows = await payment_rows(uow)
    assert [(row.kind, row.due_at, row.recipient_id) for row in rows] == [
        ("invoice", NOW, world.parent.id),
        ("payment_prompt", NOW + timedelta(hours=1), world.parent.id),
        ("payment_prompt_last", WEDNESDAY_4PM - timedelta(hours=24), world.parent.id),
    ]
    for prompt in rows[1:]:
        assert prompt.payload["session_id"] == str(booked.session.id)
        assert prompt.payload["price"] == {"amount": "40.00", "currency": "EUR"}
        assert prompt.payload["buttons"] == [
            [
                {
                    "label": "payment.button.pay",
                    "button": "payment.pay",
                    "session_id": str(booked.session.id),
                }
            ]
        ]
        # The coach's default pay_before_hours: the deadline is 12 h before the start.
        assert prompt.payload["due_at"] == (WEDNESDAY_4PM - timedelta(hours=12)).isoformat()


async def test_a_requested_booking_is_prompted_only_once_the_coach_accepts(
    uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(uow)
    booked = await book(uow, services, world)
    assert await payment_rows(uow) == []
    accepted_at = NOW + timedelta(hours=3)

    await session_changes.decide(
        uow,
        actor=await actor(uow, world.coach_user),
        session_id=booked.session.id,
        accept=True,
        now=accepted_at,
        slots=services.slots,
        refund=services.cancellation_refund,
    )

    assert [(row.kind, row.due_at) for row in await payment_rows(uow)] == [
        ("invoice", accepted_at),
        ("payment_prompt", accepted_at + timedelta(hours=1)),
        ("payment_prompt_last", WEDNESDAY_4PM - timedelta(hours=24)),
    ]


async def test_unpriced_group_and_requested_sessions_get_no_invoice_and_no_prompts(
    uow: UnitOfWork, services: Services
) -> None:
    free = await booking_world(uow, rules=AUTO_ACCEPT, rate=None)
    await book(uow, services, free)
    group = await booking_world(
        uow, rules={**AUTO_ACCEPT, "session_types": ["individual", "group"]}
    )
    await book(uow, services, group, session_type="group")
    requested = await booking_world(uow)
    await book(uow, services, requested)

    assert await payment_rows(uow) == []


def test_the_prompts_name_the_deadline_and_carry_the_pay_button() -> None:
    session = view()
    deadline = WEDNESDAY_4PM - timedelta(hours=12)

    invoice, first, last = payment_notices(session, now=NOW, due_at=deadline)

    assert planned([invoice, first, last]) == [
        ("invoice", None),
        ("payment_prompt", NOW + timedelta(hours=1)),
        ("payment_prompt_last", WEDNESDAY_4PM - timedelta(hours=24)),
    ]
    assert first.audiences == last.audiences == ("payer",)
    assert first.payload["due_at"] == last.payload["due_at"] == deadline.isoformat()
    assert first.payload["buttons"] == [
        [{"label": "payment.button.pay", "button": "payment.pay", "session_id": str(session.id)}]
    ]


def test_a_deadline_within_the_hour_leaves_the_invoice_alone() -> None:
    start = NOW + timedelta(hours=3)

    notices = payment_notices(view(start), now=NOW, due_at=NOW + timedelta(hours=1))

    assert planned(notices) == [("invoice", None)]


def test_no_last_prompt_when_a_day_before_is_too_soon_or_after_the_deadline() -> None:
    tomorrow = NOW + timedelta(hours=24, minutes=30)
    early_deadline = WEDNESDAY_4PM - timedelta(hours=48)

    soon = payment_notices(view(tomorrow), now=NOW, due_at=tomorrow - timedelta(hours=12))
    strict = payment_notices(view(), now=NOW, due_at=early_deadline)

    assert (
        planned(soon)
        == planned(strict)
        == [
            ("invoice", None),
            ("payment_prompt", NOW + timedelta(hours=1)),
        ]
    )


def test_without_a_deadline_the_prompts_ask_for_payment_before_the_start() -> None:
    _, first, last = payment_notices(view(), now=NOW, due_at=None)

    assert first.payload["due_at"] == last.payload["due_at"] == WEDNESDAY_4PM.isoformat()
    assert last.due_at == WEDNESDAY_4PM - timedelta(hours=24)


def test_a_paid_or_cancelled_session_is_not_prompted() -> None:
    assert payment_notices(view(payment_status="paid"), now=NOW) == []
    assert payment_notices(view(status="cancelled"), now=NOW) == []


async def test_dropping_the_prompts_removes_the_unsent_ones_and_nothing_else(
    uow: UnitOfWork, services: Services
) -> None:
    world = await booking_world(uow, rules=AUTO_ACCEPT)
    booked = await book(uow, services, world)
    async with uow as tx:
        # The invoice went out at booking time; the prompts are still ahead.
        await tx.session.execute(
            update(Notification).where(Notification.kind == "invoice").values(sent_at=NOW)
        )
        await tx.commit()

    async with uow as tx:
        dropped = await drop_payment_prompts(tx, booked.session.id)
        await tx.commit()

    assert dropped == 2
    assert [row.kind for row in await payment_rows(uow)] == ["invoice"]
    async with uow as tx:
        kinds = set((await tx.session.scalars(select(Notification.kind))).all())
        session = await tx.session.get(TrainingSession, booked.session.id)
    assert {"reminder_24h", "reminder_1h", "booking_confirmed"} <= kinds
    assert session is not None and session.payment_status == "pending"

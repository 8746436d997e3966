"""Packs of lessons and team fees against the database: a pack bought once per charge, drawn one
session per lesson booked with it, refused before the booking when used up or expired, given back
on a free cancellation, never overdrawn by concurrent bookings; a team fee asked for once,
reminded once per due date until paid."""

from __future__ import annotations

import asyncio
import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select, update

from domain.actors import load_actor
from domain.booking import book as booking
from domain.booking import changes
from domain.booking.availability import WEEKDAYS
from domain.booking.book import BookingChoice, BookingRefused
from domain.clubs.packs import balances, fees, offers, purchase
from domain.clubs.packs.ledger import PackLedger, refund_or_give_back
from domain.clubs.teams import teams
from domain.errors import DomainError, InvalidAnswer, NotAllowed
from domain.models import (
    FeePeriod,
    Notification,
    NotificationKind,
    Payment,
    SessionPack,
    TeamFeeDue,
    TeamMember,
    TrainingSession,
    User,
)
from domain.notifications.outbox import Claimed, DeliveryResult, Outcome, drain
from domain.payments.checkout import PaymentConfig
from domain.policy import Actor
from domain.short_ids import short_id
from domain.uow import UnitOfWork
from tests.factories import BookingWorld, booking_world

NOW = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
STARS = PaymentConfig()
LEDGER = PackLedger()


class NoSlotCache:
    """Bookings forget cached slots; these tests read none."""

    async def forget_session(self, *args: object) -> None:
        return None

    async def nearest(self, **kwargs: object) -> list[object]:
        return []


async def _actor(uow: UnitOfWork, user: User) -> Actor:
    assert user.telegram_user_id is not None
    found = await load_actor(uow, telegram_user_id=user.telegram_user_id)
    assert found is not None
    return found


async def _world(uow: UnitOfWork) -> BookingWorld:
    """A coach bookable at any hour in UTC, confirming at once, with a free window of 24 h."""
    rules = {
        "timezone": "UTC",
        "weekly": {day: ["00:00-24:00"] for day in WEEKDAYS},
        "min_notice_minutes": 0,
        "auto_accept": True,
        "free_cancel_hours": 24,
    }
    return await booking_world(uow, rules=rules)


async def _bought_pack(
    uow: UnitOfWork, world: BookingWorld, *, sessions: int = 2, days: int = 30, charge: str = "c1"
) -> purchase.Paid:
    coach = await _actor(uow, world.coach_user)
    offer = await offers.define_pack(
        uow, actor=coach, line=f"Spring pack, {sessions}, 80 EUR, {days}", now=NOW
    )
    parent = await _actor(uow, world.parent)
    invoice = await purchase.pack_invoice(
        uow, actor=parent, offer_id=offer.offer_id, athlete_id=world.child.id, config=STARS
    )
    return await purchase.record_payment(
        uow,
        telegram_user_id=world.parent.telegram_user_id or 0,
        invoice_payload=invoice.payload,
        currency=invoice.currency,
        total_amount=invoice.amount,
        telegram_charge_id=charge,
        provider_charge_id=None,
        now=NOW,
    )


async def _pack(uow: UnitOfWork) -> SessionPack:
    async with uow as tx:
        (found,) = (await tx.session.scalars(select(SessionPack))).all()
        return found


async def _book(
    uow: UnitOfWork, world: BookingWorld, hours_ahead: int, pack_id: uuid.UUID | None
) -> booking.Booked:
    choice = BookingChoice(
        world.coach.id,
        world.child.id,
        NOW + timedelta(days=3, hours=hours_ahead),
        60,
        "individual",
        pack_id=pack_id,
    )
    return await booking.book(
        uow,
        actor=await _actor(uow, world.parent),
        choice=choice,
        now=NOW,
        slots=NoSlotCache(),  # type: ignore[arg-type]
        packs=LEDGER,
    )


async def _pack_left(uow: UnitOfWork) -> int:
    return (await _pack(uow)).sessions_left


async def _sessions(uow: UnitOfWork) -> int:
    async with uow as tx:
        return await tx.session.scalar(select(func.count()).select_from(TrainingSession)) or 0


# --- buying ------------------------------------------------------------------------------------


async def test_a_pack_is_bought_once_per_charge_with_its_full_balance(uow: UnitOfWork) -> None:
    world = await _world(uow)

    first = await _bought_pack(uow, world, sessions=10, days=90)
    again = await purchase.record_payment(
        uow,
        telegram_user_id=world.parent.telegram_user_id or 0,
        invoice_payload=f"pck:{'x' * 22}:{'y' * 22}",  # whatever: the charge is known
        currency="XTR",
        total_amount=4000,
        telegram_charge_id="c1",
        provider_charge_id=None,
        now=NOW,
    )

    assert (first.already_recorded, again.already_recorded) == (False, True)
    assert again.payment_id == first.payment_id
    pack = await _pack(uow)
    assert (pack.sessions_left, pack.sessions_total, pack.athlete_id) == (10, 10, world.child.id)
    assert pack.expires_at == NOW + timedelta(days=90)
    async with uow as tx:
        (payment,) = (await tx.session.scalars(select(Payment))).all()
    assert (payment.payment_type, payment.currency, payment.amount) == ("pack", "XTR", 4000)
    assert payment.recipient_id == world.coach_user.id


@pytest.mark.parametrize(
    ("line", "key"),
    [
        ("10 lessons, 10, 150 EUR", "packs.error.format"),
        ("10 lessons, ten, 150 EUR, 90", "packs.error.sessions"),
        ("10 lessons, 0, 150 EUR, 90", "packs.error.sessions"),
        ("10 lessons, 10, 150, 90", "packs.error.price"),
        ("10 lessons, 10, -5 EUR, 90", "packs.error.price"),
        ("10 lessons, 10, 150.555 EUR, 90", "packs.error.price"),
        ("10 lessons, 10, 150 EUR, 0", "packs.error.days"),
    ],
)
def test_a_pack_line_that_does_not_fit_is_refused_with_the_reason(line: str, key: str) -> None:
    with pytest.raises(InvalidAnswer) as refused:
        offers.parse_pack(line)

    assert refused.value.message_key == key


async def test_only_the_coach_defines_packs(uow: UnitOfWork) -> None:
    world = await _world(uow)

    with pytest.raises(NotAllowed):
        await offers.define_pack(
            uow, actor=await _actor(uow, world.parent), line="P, 5, 50 EUR, 30", now=NOW
        )


async def test_only_the_family_sees_a_packs_balance(uow: UnitOfWork) -> None:
    world = await _world(uow)
    await _bought_pack(uow, world, sessions=3)

    pia = await balances.family_money(uow, actor=await _actor(uow, world.parent), now=NOW)
    omar = await balances.family_money(uow, actor=await _actor(uow, world.other_parent), now=NOW)

    assert [(p.athlete_name, p.sessions_left, p.expired) for p in pia.packs] == [("Kim", 3, False)]
    assert [line.payment_type for line in pia.history] == ["pack"]
    assert (omar.packs, omar.fees, omar.history) == ([], [], [])


# --- drawing -----------------------------------------------------------------------------------


async def test_a_lesson_booked_with_the_pack_draws_one_session_and_is_not_invoiced(
    uow: UnitOfWork,
) -> None:
    world = await _world(uow)
    await _bought_pack(uow, world, sessions=2)
    pack = await _pack(uow)

    booked = await _book(uow, world, 0, pack.id)

    assert booked.pack_left == 1
    assert booked.session.payment_status == "paid"
    assert (await _pack(uow)).sessions_left == 1
    async with uow as tx:
        kinds = set(await tx.session.scalars(select(Notification.kind)))
    assert NotificationKind.INVOICE not in kinds


async def test_a_used_up_pack_refuses_the_booking_before_it_is_made(uow: UnitOfWork) -> None:
    world = await _world(uow)
    await _bought_pack(uow, world, sessions=1)
    pack = await _pack(uow)
    await _book(uow, world, 0, pack.id)

    with pytest.raises(BookingRefused) as refused:
        await _book(uow, world, 2, pack.id)

    assert refused.value.message_key == "booking.error.pack_empty"
    assert refused.value.params == {"name": "Spring pack", "total": 1}
    assert await _sessions(uow) == 1
    assert (await _pack(uow)).sessions_left == 0
    # Without the pack the same lesson is booked, to be paid per session.
    assert (await _book(uow, world, 2, None)).session.payment_status == "pending"


async def test_an_expired_pack_refuses_the_booking(uow: UnitOfWork) -> None:
    world = await _world(uow)
    await _bought_pack(uow, world, sessions=5)
    pack = await _pack(uow)
    async with uow as tx:
        await tx.session.execute(update(SessionPack).values(expires_at=NOW - timedelta(minutes=1)))
        await tx.commit()

    with pytest.raises(BookingRefused) as refused:
        await _book(uow, world, 0, pack.id)

    assert refused.value.message_key == "booking.error.pack_expired"
    assert await _sessions(uow) == 0


async def test_another_familys_pack_cannot_pay_for_a_lesson(uow: UnitOfWork) -> None:
    world = await _world(uow)
    await _bought_pack(uow, world)
    pack = await _pack(uow)
    choice = BookingChoice(
        world.coach.id, world.other_child.id, NOW + timedelta(days=3), 60, "individual", pack.id
    )

    with pytest.raises(BookingRefused) as refused:
        await booking.book(
            uow,
            actor=await _actor(uow, world.other_parent),
            choice=choice,
            now=NOW,
            slots=NoSlotCache(),  # type: ignore[arg-type]
            packs=LEDGER,
        )

    assert refused.value.message_key == "booking.error.pack_unusable"
    assert (await _pack(uow)).sessions_left == 2


async def test_concurrent_bookings_never_overdraw_a_pack(uow: UnitOfWork) -> None:
    world = await _world(uow)
    await _bought_pack(uow, world, sessions=2)
    pack = await _pack(uow)

    outcomes = await asyncio.gather(
        *(_book(uow, world, hours * 2, pack.id) for hours in range(6)), return_exceptions=True
    )

    booked = [o for o in outcomes if isinstance(o, booking.Booked)]
    refused = [o for o in outcomes if isinstance(o, BookingRefused)]
    assert (len(booked), len(refused)) == (2, 4), outcomes
    assert {o.message_key for o in refused} == {"booking.error.pack_empty"}
    assert (await _pack(uow)).sessions_left == 0
    assert await _sessions(uow) == 2


async def test_the_database_refuses_a_negative_balance(uow: UnitOfWork) -> None:
    world = await _world(uow)
    await _bought_pack(uow, world, sessions=1)

    with pytest.raises(DomainError):
        async with uow as tx:
            await tx.session.execute(update(SessionPack).values(sessions_left=-1))
            await tx.commit()

    assert (await _pack(uow)).sessions_left == 1


# --- cancelling --------------------------------------------------------------------------------


async def _cancel(uow: UnitOfWork, actor: Actor, session_id: uuid.UUID, now: datetime) -> None:
    await changes.cancel(
        uow,
        actor=actor,
        session_id=session_id,
        now=now,
        slots=NoSlotCache(),  # type: ignore[arg-type]
        refund=refund_or_give_back,
        accept_fee=True,
    )


async def test_a_cancellation_in_the_free_window_gives_the_session_back(uow: UnitOfWork) -> None:
    world = await _world(uow)
    await _bought_pack(uow, world, sessions=2)
    pack = await _pack(uow)
    booked = await _book(uow, world, 0, pack.id)

    await _cancel(uow, await _actor(uow, world.parent), booked.session.id, NOW)

    assert (await _pack(uow)).sessions_left == 2
    async with uow as tx:
        session = await tx.session.get_one(TrainingSession, booked.session.id)
    assert (session.status, session.payment_status) == ("cancelled", "refunded")


async def test_a_lesson_the_coach_declines_gives_the_session_back(uow: UnitOfWork) -> None:
    world = await _world(uow)
    async with uow as tx:
        coach = await tx.coaches.get(world.coach.id)
        coach.availability = {**(coach.availability or {}), "auto_accept": False}
        await tx.commit()
    await _bought_pack(uow, world, sessions=2)
    booked = await _book(uow, world, 0, (await _pack(uow)).id)
    assert (booked.needs_acceptance, await _pack_left(uow)) == (True, 1)

    await changes.decide(
        uow,
        actor=await _actor(uow, world.coach_user),
        session_id=booked.session.id,
        accept=False,
        now=NOW,
        slots=NoSlotCache(),  # type: ignore[arg-type]
        refund=refund_or_give_back,
    )

    assert await _pack_left(uow) == 2


async def test_a_late_cancellation_by_the_family_keeps_the_session_used(uow: UnitOfWork) -> None:
    world = await _world(uow)
    await _bought_pack(uow, world, sessions=2)
    pack = await _pack(uow)
    booked = await _book(uow, world, 0, pack.id)
    late = booked.session.start - timedelta(hours=2)

    await _cancel(uow, await _actor(uow, world.parent), booked.session.id, late)

    assert (await _pack(uow)).sessions_left == 1


# --- team fees ---------------------------------------------------------------------------------


async def _team_with_kim(
    uow: UnitOfWork, world: BookingWorld, now: datetime = NOW
) -> tuple[Actor, uuid.UUID]:
    coach = await _actor(uow, world.coach_user)
    today = now.date()
    details = teams.TeamDetails(
        "Tigers", "tennis", "U12", today - timedelta(days=1), today + timedelta(days=200)
    )
    team_id = await teams.create_team(uow, actor=coach, details=details, now=now)
    async with uow as tx:
        tx.session.add(TeamMember(team_id=team_id, athlete_id=world.child.id))
        await tx.commit()
    return coach, team_id


async def _fee_notices(uow: UnitOfWork) -> list[tuple[str, str]]:
    async with uow as tx:
        rows = await tx.session.execute(
            select(Notification.kind, Notification.dedup_key)
            .where(Notification.kind.in_(["team_fee_request", "team_fee_reminder"]))
            .order_by(Notification.dedup_key)
        )
        return [(kind, key) for kind, key in rows]


async def test_a_fee_is_asked_once_and_reminded_once_per_due_date_until_paid(
    uow: UnitOfWork,
) -> None:
    world = await _world(uow)
    coach, team_id = await _team_with_kim(uow, world)
    await fees.set_fee(uow, actor=coach, team_id=team_id, line="season 120 EUR", now=NOW)

    first = await fees.queue_due(uow, now=NOW)
    again = await fees.queue_due(uow, now=NOW + timedelta(hours=3))

    assert (first.dues, first.requests, first.reminders) == (1, 1, 0)  # Pia; Kim has no Telegram
    assert (again.dues, again.requests, again.reminders) == (0, 0, 0)
    due_day = NOW + timedelta(days=fees.DUE_AFTER_DAYS)
    assert (await fees.queue_due(uow, now=due_day)).reminders == 1
    assert (await fees.queue_due(uow, now=due_day + timedelta(hours=5))).reminders == 0
    assert (await fees.queue_due(uow, now=due_day + timedelta(days=3))).reminders == 0
    assert (await fees.queue_due(uow, now=due_day + timedelta(days=7))).reminders == 1

    kinds = [kind for kind, _ in await _fee_notices(uow)]
    assert sorted(kinds) == ["team_fee_reminder", "team_fee_reminder", "team_fee_request"]
    async with uow as tx:
        (due,) = (await tx.session.scalars(select(TeamFeeDue))).all()
    paid = await purchase.record_payment(
        uow,
        telegram_user_id=world.parent.telegram_user_id or 0,
        invoice_payload=f"{purchase.FEE_PREFIX}{short_id(due.id)}",
        currency="EUR",
        total_amount=12000,
        telegram_charge_id="fee-1",
        provider_charge_id="pi_1",
        now=due_day + timedelta(days=8),
    )

    assert paid.kind == "team_fee"
    assert (await fees.queue_due(uow, now=due_day + timedelta(days=14))).reminders == 0
    assert await _fee_notices(uow) == []  # what was still unsent is dropped with the payment
    (team,) = await fees.coach_fees(uow, actor=coach)
    assert [(line.athlete_name, line.paid) for line in team.dues] == [("Kim", True)]
    assert team.fee is not None and team.fee.price == Decimal("120")


class Recorder:
    """A delivery that records what it was handed and reports it sent."""

    def __init__(self) -> None:
        self.kinds: list[str] = []

    async def __call__(self, notification: Claimed) -> DeliveryResult:
        self.kinds.append(notification.kind)
        return DeliveryResult.SENT


async def test_a_fee_request_waits_out_the_familys_quiet_hours(uow: UnitOfWork) -> None:
    night = datetime(2030, 1, 15, 22, 30, tzinfo=UTC)  # Pia is in UTC, quiet 21:00-07:00
    world = await _world(uow)
    coach, team_id = await _team_with_kim(uow, world, night)
    await fees.set_fee(uow, actor=coach, team_id=team_id, line="season 90 EUR", now=night)
    await fees.queue_due(uow, now=night)
    deliver = Recorder()

    at_night = await drain(uow, now=night, limit=10, deliver=deliver)
    morning = await drain(
        uow, now=datetime(2030, 1, 16, 7, 0, tzinfo=UTC), limit=10, deliver=deliver
    )

    assert (at_night.count(Outcome.DEFERRED), at_night.count(Outcome.SENT)) == (1, 0)
    assert morning.count(Outcome.SENT) == 1
    assert deliver.kinds == ["team_fee_request"]


async def test_a_fee_paid_twice_gives_the_second_payment_back(uow: UnitOfWork) -> None:
    world = await _world(uow)
    coach, team_id = await _team_with_kim(uow, world)
    await fees.set_fee(uow, actor=coach, team_id=team_id, line="month 30 EUR", now=NOW)
    await fees.queue_due(uow, now=NOW)
    async with uow as tx:
        (due,) = (await tx.session.scalars(select(TeamFeeDue))).all()
    pay = {
        "telegram_user_id": world.parent.telegram_user_id or 0,
        "invoice_payload": f"{purchase.FEE_PREFIX}{short_id(due.id)}",
        "currency": "XTR",
        "total_amount": 1500,
        "provider_charge_id": None,
        "now": NOW,
    }
    await purchase.record_payment(uow, telegram_charge_id="a", **pay)  # type: ignore[arg-type]

    with pytest.raises(DomainError) as refused:
        await purchase.record_payment(uow, telegram_charge_id="b", **pay)  # type: ignore[arg-type]

    assert refused.value.message_key == "fees.error.already_paid"
    assert refused.value.params["refund"] == "refunded"
    async with uow as tx:
        statuses = sorted(await tx.session.scalars(select(Payment.status)))
    assert statuses == ["completed", "refunded"]


async def test_only_the_teams_coach_sets_its_fee(uow: UnitOfWork) -> None:
    world = await _world(uow)
    _coach, team_id = await _team_with_kim(uow, world)

    with pytest.raises(NotAllowed):
        await fees.set_fee(
            uow,
            actor=await _actor(uow, world.parent),
            team_id=team_id,
            line="season 100 EUR",
            now=NOW,
        )


@pytest.mark.parametrize("line", ["yearly 100 EUR", "season", "season 100", "mes -3 EUR"])
def test_a_fee_line_that_does_not_fit_is_refused(line: str) -> None:
    with pytest.raises(InvalidAnswer):
        fees.parse_fee(line)


def test_a_fee_line_reads_english_and_spanish() -> None:
    assert fees.parse_fee("temporada 120 EUR").period == "season"
    assert fees.parse_fee("Month 30,50 eur") == fees.FeeTerms(
        FeePeriod.MONTH, Decimal("30.50"), "EUR"
    )

"""A pack's balance: drawn one session per private lesson booked with it, given back when the
lesson is cancelled inside the free window (or by the coach).

`PackLedger` is what booking draws through (`domain.booking.packs.SessionPacks`); the draw is
one UPDATE that takes a session only from a live pack with balance, so concurrent bookings take
turns on the pack's row and the second sees what the first left: the last session goes to one
of them, and `sessions_left >= 0` (a CHECK) stands behind it. `refund_or_give_back` is the
cancellation's refund (`domain.booking.refunds.CancellationRefund`): a lesson paid with a pack
gets its session back, any other goes to payments' refund.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from domain import policy
from domain.booking.rules import BookingRefused
from domain.booking.sessions import LoadedSession
from domain.clubs.packs import queries
from domain.models import PackDraw, PaymentStatus, SessionPaymentStatus
from domain.payments.records import refund_for_cancellation
from domain.policy import Action, Actor, AthleteTarget
from domain.uow import Transaction, UnitOfWork


@dataclass(frozen=True)
class UsablePack:
    """A pack a lesson with its coach can be paid with now."""

    pack_id: uuid.UUID
    name: str
    sessions_left: int
    sessions_total: int
    expires_at: datetime


class PackLedger:
    """Draws from packs inside the booking transaction (`domain.booking.packs.SessionPacks`)."""

    async def draw(
        self,
        tx: Transaction,
        *,
        pack_id: uuid.UUID,
        athlete_id: uuid.UUID,
        coach_id: uuid.UUID,
        now: datetime,
    ) -> int:
        """Take one session; BookingRefused saying why (used up, expired, not this lesson's)."""
        left = await queries.take_session(tx, pack_id, athlete_id, coach_id, now)
        if left is not None:
            return left
        found = await queries.pack(tx, pack_id)
        if found is None or found.athlete_id != athlete_id or found.coach_id != coach_id:
            raise BookingRefused("booking.error.pack_unusable")
        if found.expires_at <= now:
            raise BookingRefused("booking.error.pack_expired", name=found.name)
        raise BookingRefused(
            "booking.error.pack_empty", name=found.name, total=found.sessions_total
        )

    async def attach(
        self, tx: Transaction, *, pack_id: uuid.UUID, session_id: uuid.UUID, now: datetime
    ) -> None:
        """Record the lesson the session paid for (its cancellation gives it back)."""
        tx.session.add(PackDraw(session_id=session_id, pack_id=pack_id, drawn_at=now))
        await tx.flush()


async def refund_or_give_back(
    tx: Transaction, *, loaded: LoadedSession, late: bool, actor: Actor, now: datetime
) -> PaymentStatus | None:
    """The cancellation's refund: a pack's session back (unless the family cancelled late,
    when the session stays used, as a fee would stay due), else the payment's refund."""
    draw = await queries.live_draw(tx, loaded.session.id)
    if draw is None:
        return await refund_for_cancellation(tx, loaded=loaded, late=late, actor=actor, now=now)
    if late and not loaded.is_coach(actor):
        return None
    draw.returned_at = now
    await queries.give_session_back(tx, draw.pack_id)
    loaded.session.payment_status = SessionPaymentStatus.REFUNDED
    return PaymentStatus.REFUNDED


async def usable_packs(
    uow: UnitOfWork, *, actor: Actor, athlete_id: uuid.UUID, coach_id: uuid.UUID, now: datetime
) -> list[UsablePack]:
    """The athlete's packs with this coach a lesson can be paid with now, soonest to expire
    first; none for someone who does not book for the athlete."""
    if not policy.may(actor, Action.BOOK_FOR_ATHLETE, AthleteTarget(athlete_id)):
        return []
    async with uow as tx:
        rows = await queries.packs_of(tx, [athlete_id], coach_id)
    usable = [
        UsablePack(p.id, p.name, p.sessions_left, p.sessions_total, p.expires_at)
        for p, _athlete, _first, _last in rows
        if p.sessions_left > 0 and p.expires_at > now
    ]
    return sorted(usable, key=lambda found: (found.expires_at, found.pack_id))

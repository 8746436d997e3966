"""After a booking: the coach accepts or declines, and either side cancels or moves it.

The cancellation policy is the coach's (`free_cancel_hours` in their rules, 24 h unless they
chose otherwise): until then the athletes' side cancels or moves free of charge; inside it they
may still cancel, once they have confirmed that the fee stays due, but a move needs the coach.
The coach may cancel or move at any time, always free for the athletes.

Every change bumps the session's SEQUENCE, so calendar files and notices of the new version
replace the old ones, and drops the reminders not yet sent before planning new ones.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.booking.notices import calendar_file, drop_reminders, payload, reminder_notices, tell
from domain.booking.payment_notices import (
    drop_payment_prompts,
    is_payable,
    payment_notices,
    payment_prompts,
)
from domain.booking.queries.notice_queue import COACH, FAMILY, Notice
from domain.booking.queries.sessions import remove_participants
from domain.booking.refunds import CancellationRefund
from domain.booking.rules import (
    BookingRefused,
    SlotUnavailable,
    check_buffers,
    check_slot,
    payment_deadline,
)
from domain.booking.sessions import GROUP, LIVE, LoadedSession, SessionView, load_session
from domain.booking.slot_cache import SlotCache
from domain.errors import NotAllowed, SlotTaken
from domain.models import (
    NotificationKind,
    PaymentStatus,
    SessionPaymentStatus,
    SessionStatus,
)
from domain.policy import Actor
from domain.short_ids import short_id
from domain.uow import Transaction, UnitOfWork

COACH_SIDE = "coach"
ATHLETE_SIDE = "athlete"


class LateCancellation(BookingRefused):
    """Inside the free-cancellation window: the athletes' side must confirm the fee stays due."""

    def __init__(self, hours: int, price: dict[str, str] | str) -> None:
        super().__init__("booking.error.late_cancel", hours=hours, price=price)


@dataclass(frozen=True)
class Changed:
    """A session after a change, and who was told about it."""

    session: SessionView
    notified: list[uuid.UUID]
    fee_due: bool = False
    refund: PaymentStatus | None = None  # what became of money paid (domain.booking.refunds)


async def decide(
    uow: UnitOfWork,
    *,
    actor: Actor,
    session_id: uuid.UUID,
    accept: bool,
    now: datetime,
    slots: SlotCache,
    refund: CancellationRefund,
) -> Changed:
    """The coach accepts or declines a requested booking; a second press changes nothing.
    A declined lesson gets back what paid for it (a pack's session) through `refund`."""
    async with uow as tx:
        loaded = await load_session(tx, session_id, lock=True)
        loaded.require_coach(actor)
        session = loaded.session
        if session.status != SessionStatus.REQUESTED:
            raise BookingRefused("booking.error.already_decided", status=session.status)
        if accept:
            session.status = SessionStatus.SCHEDULED
            if session.payment_status == SessionPaymentStatus.PENDING:  # not paid with a pack
                session.payment_due_at = payment_deadline(
                    loaded.rules, session.start_time, session.price, now
                )
            view = loaded.view()
            facts = {**payload(view), "document": calendar_file(view, now=now)}
            notices = [
                Notice((FAMILY,), NotificationKind.BOOKING_ACCEPTED, facts),
                Notice((COACH,), NotificationKind.CALENDAR_FILE, facts),
                *reminder_notices(view, now=now),
                *payment_notices(view, now=now, due_at=session.payment_due_at),
            ]
        else:
            cancel_row(loaded, actor, now, reason="declined")
            await refund(tx, loaded=loaded, late=False, actor=actor, now=now)
            view = loaded.view()
            notices = [Notice((FAMILY,), NotificationKind.BOOKING_DECLINED, payload(view))]
        told = await tell(tx, loaded, notices, now=now)
        audit_change(tx, actor, loaded, "session.accepted" if accept else "session.declined")
        await tx.commit()
    if not accept:
        await slots.forget_session(view.coach_id, view.coach_timezone, view.start, view.end)
    return Changed(loaded.view_for(actor), told)


def cancellation_terms(loaded: LoadedSession, actor: Actor, now: datetime) -> tuple[str, bool]:
    """Which side the actor cancels for, and whether the fee stays due (a late cancellation)."""
    side = _side(loaded, actor)
    session = loaded.session
    window = timedelta(hours=loaded.rules.free_cancel_hours)
    late = (
        side == ATHLETE_SIDE
        and session.status == SessionStatus.SCHEDULED
        and session.start_time - now < window
        and session.payment_status in (SessionPaymentStatus.PENDING, SessionPaymentStatus.PAID)
    )
    return side, late


async def cancel(
    uow: UnitOfWork,
    *,
    actor: Actor,
    session_id: uuid.UUID,
    now: datetime,
    slots: SlotCache,
    refund: CancellationRefund,
    accept_fee: bool = False,
) -> Changed:
    """Cancel a live session (or, in a group, the actor's own places in it), refunding as due."""
    async with uow as tx:
        loaded = await load_session(tx, session_id, lock=True)
        side, late = cancellation_terms(loaded, actor, now)
        session = loaded.session
        _require_ahead(loaded, now)
        if late and not accept_fee:
            raise LateCancellation(loaded.rules.free_cancel_hours, loaded.view().price_value or "")
        leaving = loaded.athletes_of(actor) if side == ATHLETE_SIDE else []
        if session.session_type == GROUP and side == ATHLETE_SIDE:
            remaining = await leave_group(tx, loaded, leaving)
            if remaining:
                view = loaded.view()
                left = Notice(
                    (COACH,), NotificationKind.GROUP_LEFT, {**payload(view), "left": len(leaving)}
                )
                told = await tell(
                    tx, loaded, [left], now=now, tag=".".join(short_id(a) for a in leaving)
                )
                audit_change(tx, actor, loaded, "session.left_group")
                await tx.commit()
                return Changed(loaded.view_for(actor), told, fee_due=late)
        reason = "late" if late else side
        cancel_row(loaded, actor, now, reason=reason)
        await drop_reminders(tx, loaded)
        await drop_payment_prompts(tx, loaded.session.id)
        refunded = await refund(tx, loaded=loaded, late=late, actor=actor, now=now)
        view = loaded.view()
        cancelled = {
            **payload(view, by=side),
            "document": calendar_file(view, cancelled=True, now=now),
        }
        told = await tell(
            tx,
            loaded,
            [Notice((FAMILY, COACH), NotificationKind.SESSION_CANCELLED, cancelled)],
            now=now,
            exclude=actor.user_id,
        )
        audit_change(tx, actor, loaded, "session.cancelled", reason=reason)
        await tx.commit()
    await slots.forget_session(view.coach_id, view.coach_timezone, view.start, view.end)
    return Changed(loaded.view_for(actor), told, fee_due=late, refund=refunded)


async def reschedule(
    uow: UnitOfWork,
    *,
    actor: Actor,
    session_id: uuid.UUID,
    new_start: datetime,
    now: datetime,
    slots: SlotCache,
) -> Changed:
    """Move a live session to another free slot of the same length."""
    try:
        async with uow as tx:
            loaded = await load_session(tx, session_id, lock=True)
            side, late = cancellation_terms(loaded, actor, now)
            session = loaded.session
            _require_ahead(loaded, now)
            if side == ATHLETE_SIDE and session.session_type == GROUP:
                raise BookingRefused("booking.error.group_move")
            if late:
                raise BookingRefused(
                    "booking.error.late_move", hours=loaded.rules.free_cancel_hours
                )
            length = int((session.end_time - session.start_time).total_seconds() // 60)
            check_slot(loaded.rules, new_start, length, now)
            new_end = new_start + timedelta(minutes=length)
            await check_buffers(
                tx, loaded.rules, session.coach_id, new_start, new_end, moving=session.id
            )
            old_start, old_end = session.start_time, session.end_time
            session.start_time, session.end_time = new_start, new_start + timedelta(minutes=length)
            session.sequence += 1
            await tx.flush()  # the no-overlap constraint: SlotTaken
            await drop_reminders(tx, loaded)
            await drop_payment_prompts(tx, session.id)
            if is_payable(loaded.view()):
                session.payment_due_at = payment_deadline(
                    loaded.rules, session.start_time, session.price, now
                )
            view = loaded.view()
            moved = {
                **payload(view, was_at=old_start.isoformat(), by=side),
                "document": calendar_file(view, now=now),
            }
            notices = [
                Notice((FAMILY, COACH), NotificationKind.SESSION_RESCHEDULED, moved),
                *reminder_notices(view, now=now),
                # Prompts for the new time; the invoice already sent still pays for it.
                *(payment_prompts(view, now, session.payment_due_at) if is_payable(view) else []),
            ]
            # The mover gets a direct reply, but their own reminders still count.
            told = await tell(tx, loaded, notices[:1], now=now, exclude=actor.user_id)
            await tell(tx, loaded, notices[1:], now=now)
            audit_change(tx, actor, loaded, "session.rescheduled", was=old_start.isoformat())
            await tx.commit()
    except SlotTaken:
        nearest = await slots.nearest(
            coach_id=loaded.coach.id,
            around=new_start,
            length_minutes=length,
            now=now,
        )
        raise SlotUnavailable(nearest) from None
    await slots.forget_session(view.coach_id, view.coach_timezone, old_start, old_end)
    await slots.forget_session(view.coach_id, view.coach_timezone, view.start, view.end)
    return Changed(loaded.view_for(actor), told)


def _side(loaded: LoadedSession, actor: Actor) -> str:
    if loaded.is_coach(actor):
        return COACH_SIDE
    if loaded.athletes_of(actor):
        return ATHLETE_SIDE
    raise NotAllowed("not a party to this session", action="book_for_athlete")


def _require_ahead(loaded: LoadedSession, now: datetime) -> None:
    if loaded.session.status not in LIVE:
        raise BookingRefused("booking.error.not_live", status=loaded.session.status)
    if loaded.session.start_time <= now:
        raise BookingRefused("booking.error.started")


def cancel_row(loaded: LoadedSession, actor: Actor, now: datetime, *, reason: str) -> None:
    """Mark the session cancelled by the actor, its sequence bumped (the calendar file)."""
    session = loaded.session
    session.status = SessionStatus.CANCELLED
    session.cancelled_at = now
    session.cancelled_by = actor.user_id
    session.cancel_reason = reason
    session.sequence += 1
    # A late cancellation keeps the fee due; otherwise nothing is owed (a paid session's
    # refund is the payments flow's business, so "paid" stays as it is).
    if reason != "late" and session.payment_status == SessionPaymentStatus.PENDING:
        session.payment_status = SessionPaymentStatus.NOT_REQUIRED


async def leave_group(tx: Transaction, loaded: LoadedSession, athlete_ids: list[uuid.UUID]) -> int:
    """Take these athletes out of a group session; returns how many places stay taken."""
    await remove_participants(tx, loaded.session.id, athlete_ids)
    loaded.session.participant_count = max(loaded.session.participant_count - len(athlete_ids), 0)
    loaded.athletes = [(a, u) for a, u in loaded.athletes if a.id not in athlete_ids]
    return loaded.session.participant_count


def audit_change(
    tx: Transaction, actor: Actor, loaded: LoadedSession, action: str, **details: str
) -> None:
    """Audit a change to the session by the actor."""
    tx.audit.record(
        actor_id=actor.user_id,
        action=action,
        entity="training_session",
        entity_id=loaded.session.id,
        details=details,
    )

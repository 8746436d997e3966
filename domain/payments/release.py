"""Releasing a confirmed session nobody paid for by its deadline, so the slot can be booked again.

A priced session gets its `payment_due_at` when it is confirmed
(`domain.booking.rules.payment_deadline`); the payer is invoiced and prompted until then
(`domain.booking.payment_notices`). Past it, a job (`bot.jobs`) cancels what is still unpaid, as
the coach would, but with nobody acting: `cancel_reason` 'unpaid', `cancelled_by` NULL. Both
sides are told, with the calendar file that takes the session off their calendars.
"""

from __future__ import annotations

from datetime import UTC, datetime

from domain.booking.notices import calendar_file, drop_reminders, payload, tell
from domain.booking.payment_notices import drop_payment_prompts
from domain.booking.queries.notice_queue import COACH, FAMILY, Notice
from domain.booking.sessions import LoadedSession, SessionView, load_session
from domain.booking.slot_cache import SlotCache
from domain.models import (
    NotificationKind,
    SessionPaymentStatus,
    SessionStatus,
)
from domain.payments import queries
from domain.uow import UnitOfWork

UNPAID = "unpaid"
RELEASED = NotificationKind.SESSION_RELEASED
BATCH_SIZE = 200


async def release_unpaid(
    uow: UnitOfWork,
    *,
    now: datetime,
    slots: SlotCache,
    limit: int = BATCH_SIZE,
) -> int:
    """Cancel up to `limit` unpaid sessions past their payment deadline; how many were released.

    One transaction per session: a failure rolls back only the session in hand, and those
    released before it stay released. Sessions another transaction holds (being paid or changed
    right now) are skipped; the next run sees them again if they are still unpaid then.
    """
    released = 0
    while released < limit:
        view = await _release_next(uow, now=now)
        if view is None:
            break
        released += 1
        await slots.forget_session(view.coach_id, view.coach_timezone, view.start, view.end)
    return released


async def _release_next(uow: UnitOfWork, *, now: datetime) -> SessionView | None:
    """Release the next unpaid session due at `now` in its own transaction; None if none is."""
    async with uow as tx:
        session_id = await queries.next_unpaid_past_due(tx, now)
        if session_id is None:
            return None
        loaded = await load_session(tx, session_id)  # locked by the query already
        _release_row(loaded, now)
        await drop_reminders(tx, loaded)
        await drop_payment_prompts(tx, session_id)
        view = loaded.view()
        facts = {
            **payload(view),
            "due_at": (loaded.session.payment_due_at or now).astimezone(UTC).isoformat(),
            "document": calendar_file(view, cancelled=True, now=now),
        }
        await tell(tx, loaded, [Notice((FAMILY, COACH), RELEASED, facts)], now=now)
        tx.audit.record(
            actor_id=None,
            action="session.released",
            entity="training_session",
            entity_id=session_id,
            details={"reason": UNPAID},
        )
        await tx.commit()
    return view


def _release_row(loaded: LoadedSession, now: datetime) -> None:
    session = loaded.session
    session.status = SessionStatus.CANCELLED
    session.cancelled_at = now
    session.cancelled_by = None  # nobody acted: the deadline passed
    session.cancel_reason = UNPAID
    session.payment_status = SessionPaymentStatus.NOT_REQUIRED
    session.sequence += 1

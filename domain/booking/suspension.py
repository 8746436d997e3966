"""A suspended person's future sessions, cancelled inside the admin's suspension (issue 18).

The cancellation policy is the one a coach's cancellation follows: the family is not at fault
for an admin's decision, so whatever was paid comes back in full (Stars by the bot, cards
listed for an admin), and both sides get the usual notice with the calendar file, except the
suspended person, who is told about the suspension instead. In a group session only the
suspended family's places are given up; a suspended coach's sessions are cancelled whole.
"""

from __future__ import annotations

from datetime import UTC, datetime

from domain.booking.changes import audit_change, cancel_row, leave_group
from domain.booking.notices import calendar_file, drop_reminders, payload, tell
from domain.booking.payment_notices import drop_payment_prompts
from domain.booking.queries.notice_queue import COACH, FAMILY, Notice
from domain.booking.queries.sessions import athletes_session_ids, coach_session_ids
from domain.booking.refunds import CancellationRefund
from domain.booking.sessions import GROUP, LIVE, SessionView, load_session
from domain.models import NotificationKind
from domain.policy import Actor
from domain.uow import Transaction

_FOREVER = datetime(9999, 1, 1, tzinfo=UTC)
REASON = "suspended"


async def cancel_future_sessions(
    tx: Transaction,
    *,
    person: Actor,
    admin: Actor,
    now: datetime,
    refund: CancellationRefund,
    reason: str = REASON,
) -> list[SessionView]:
    """Cancel (or leave) every live session of the person still ahead; the sessions touched.
    Erasure (domain.privacy) cancels the same way, as the person themself, reason "erased"."""
    athletes = {*person.guarded_athlete_ids, *filter(None, [person.own_athlete_id])}
    ids = set(await athletes_session_ids(tx, athletes, now, _FOREVER)) if athletes else set()
    if person.coach_id is not None:
        ids |= set(await coach_session_ids(tx, person.coach_id, now, _FOREVER))
    touched = []
    for session_id in sorted(ids):
        loaded = await load_session(tx, session_id, lock=True)
        session = loaded.session
        if session.status not in LIVE or session.start_time <= now:
            continue
        theirs = [athlete.id for athlete, _ in loaded.athletes if athlete.id in athletes]
        is_coach = person.coach_id == session.coach_id
        # In a group the family gives up its places; the last places left cancel it.
        if session.session_type == GROUP and not is_coach and await leave_group(tx, loaded, theirs):
            left = {**payload(loaded.view()), "left": len(theirs)}
            notice = Notice((COACH,), NotificationKind.GROUP_LEFT, left)
            await tell(tx, loaded, [notice], now=now, tag=reason)
            audit_change(tx, admin, loaded, "session.left_group", reason=reason)
            touched.append(loaded.view())
            continue
        cancel_row(loaded, admin, now, reason=reason)
        await drop_reminders(tx, loaded)
        await drop_payment_prompts(tx, session.id)
        await refund(tx, loaded=loaded, late=False, actor=admin, now=now)
        view = loaded.view()
        cancelled = {
            **payload(view, by="admin"),
            "document": calendar_file(view, cancelled=True, now=now),
        }
        notice = Notice((FAMILY, COACH), NotificationKind.SESSION_CANCELLED, cancelled)
        await tell(tx, loaded, [notice], now=now, exclude=person.user_id)
        audit_change(tx, admin, loaded, "session.cancelled", reason=reason)
        touched.append(view)
    return touched

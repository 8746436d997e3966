"""What a payer hears about paying for a session, queued with the change that made it payable.

These are session notices like any other, so booking owns them: a booking, an acceptance or a
move queues them in its own transaction without reaching into payments. Payments builds the
invoice when it is sent and takes the money (`domain.payments`); it drops these notices, unsent,
once the session is paid or released.

A confirmed session with a price is invoiced to whoever booked it (the athlete, or the parent
who booked for a child). The invoice itself is built when it is sent, from the session as it
is then (`domain.payments.checkout.invoice_for`), so a price or a status that changed in between
is never billed.

With the invoice come up to two prompts to the same payer: one an hour later, and a last one a
day before the session. Both name the deadline after which an unpaid session is released
(`domain.payments.release`) and carry a button that sends the invoice again. They are dropped,
unsent, as soon as the session is paid or cancelled (`drop_payment_prompts`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from domain.booking.notices import payload
from domain.booking.queries.notice_queue import PAYER, Notice
from domain.booking.queries.sessions import drop_unsent_notices
from domain.booking.sessions import GROUP, SessionView
from domain.models import NotificationKind, SessionPaymentStatus, SessionStatus
from domain.uow import Transaction

INVOICE = NotificationKind.INVOICE
PAYMENT_PROMPT = NotificationKind.PAYMENT_PROMPT
PAYMENT_PROMPT_LAST = NotificationKind.PAYMENT_PROMPT_LAST
# Queued for an unpaid session; dropped when it is paid or cancelled.
PAYMENT_KINDS = (INVOICE, PAYMENT_PROMPT, PAYMENT_PROMPT_LAST)
# Long enough for a payer who meant to pay at once to have done it, so the prompt is not noise.
FIRST_PROMPT_AFTER = timedelta(hours=1)
LAST_PROMPT_BEFORE_START = timedelta(hours=24)
# The Pay button's intent: the delivery side (`handlers.payments.delivery`) makes it a button.
PAY = "payment.pay"


def payment_notices(
    view: SessionView, *, now: datetime, due_at: datetime | None = None
) -> list[Notice]:
    """The invoice and the payment prompts for a session that has just become payable.

    `due_at` is the session's `payment_due_at` (when it is released if still unpaid); None
    means it never is, and the prompts then ask for payment before the session starts.
    """
    if not is_payable(view):
        return []
    return [Notice((PAYER,), INVOICE, payload(view)), *payment_prompts(view, now, due_at)]


def payment_prompts(view: SessionView, now: datetime, due_at: datetime | None) -> list[Notice]:
    """The prompts worth sending: each before the deadline, the last one after the first."""
    deadline = due_at or view.start
    first = now + FIRST_PROMPT_AFTER
    last = view.start - LAST_PROMPT_BEFORE_START
    facts = {
        **payload(view),
        "due_at": deadline.astimezone(UTC).isoformat(),
        "buttons": [[{"label": "payment.button.pay", "button": PAY, "session_id": str(view.id)}]],
    }
    # A prompt at or past the deadline could only announce a session already released.
    wanted = [(PAYMENT_PROMPT, first), *([(PAYMENT_PROMPT_LAST, last)] if last > first else [])]
    return [Notice((PAYER,), kind, facts, at) for kind, at in wanted if at < deadline]


def is_payable(view: SessionView) -> bool:
    """A confirmed individual session with a price that nobody has paid yet."""
    return (
        view.session_type != GROUP
        and view.status == SessionStatus.SCHEDULED
        and view.payment_status == SessionPaymentStatus.PENDING
        and bool(view.price)
    )


async def drop_payment_prompts(tx: Transaction, session_id: uuid.UUID) -> int:
    """Forget the invoice and prompts not yet sent (the session is paid or off); rows dropped."""
    return await drop_unsent_notices(tx, kinds=PAYMENT_KINDS, session_id=session_id)

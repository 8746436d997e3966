"""What a payer hears about paying for a session, queued with the change that made it payable.

A confirmed session with a price is invoiced to whoever booked it (the athlete, or the parent
who booked for a child). The invoice itself is built when it is sent, from the session as it
is then (`bot.outbox`), so a price or a status that changed in between is never billed.
"""

from __future__ import annotations

from datetime import datetime

from domain.notice_queue import PAYER, Notice
from domain.session_notices import payload
from domain.sessions import GROUP, SCHEDULED, SessionView

INVOICE = "invoice"


def payment_notices(view: SessionView, *, now: datetime) -> list[Notice]:
    """The invoice (and, later, prompts) for a session that has just become payable."""
    if not is_payable(view):
        return []
    return [Notice((PAYER,), INVOICE, payload(view))]


def is_payable(view: SessionView) -> bool:
    """A confirmed individual session with a price that nobody has paid yet."""
    return (
        view.session_type != GROUP
        and view.status == SCHEDULED
        and view.payment_status == "pending"
        and bool(view.price)
    )

"""How booking reaches payments when a session is cancelled: an interface booking owns.

Payments sits above booking (it reads sessions; booking never imports payments), yet a session
being cancelled may have been paid for. `changes.cancel` therefore takes a `CancellationRefund`:
whatever gives the money back inside the cancel transaction. The bot hands in clubs'
`domain.clubs.packs.ledger.refund_or_give_back` (`bot.wiring.Services.cancellation_refund`):
a lesson paid with a pack gets its session back, any other payments' own
`domain.payments.records.refund_for_cancellation`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from domain.booking.sessions import LoadedSession
from domain.models import PaymentStatus
from domain.policy import Actor
from domain.uow import Transaction


class CancellationRefund(Protocol):
    """Inside a cancellation: return what was paid for the session unless the fee stays due."""

    async def __call__(
        self, tx: Transaction, *, loaded: LoadedSession, late: bool, actor: Actor, now: datetime
    ) -> PaymentStatus | None:
        """What became of the money: REFUNDED, REFUND_DUE (an admin refunds) or None (kept)."""
        ...

"""How booking reaches a family's pack of lessons: an interface booking owns.

Packs are the clubs capability's (`domain.clubs.packs`), which lies above booking; yet a private
lesson booked "with the pack" must take its session from the pack in the booking's own
transaction, before the session row is written, so that an empty or expired pack refuses the
booking before it is made. `book.book` therefore takes `SessionPacks`; the bot hands in the
clubs' ledger (`bot.wiring.Services.session_packs`).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

from domain.uow import Transaction


class SessionPacks(Protocol):
    """Drawing one session from a pack for a private lesson, inside the booking transaction."""

    async def draw(
        self,
        tx: Transaction,
        *,
        pack_id: uuid.UUID,
        athlete_id: uuid.UUID,
        coach_id: uuid.UUID,
        now: datetime,
    ) -> int:
        """Take one session (the sessions left after it); BookingRefused if the pack cannot."""
        ...

    async def attach(
        self, tx: Transaction, *, pack_id: uuid.UUID, session_id: uuid.UUID, now: datetime
    ) -> None:
        """Record which session the drawn session paid for (after the session row exists)."""
        ...

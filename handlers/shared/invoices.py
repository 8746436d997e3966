"""Which capability a payment belongs to, by its invoice payload's prefix: programs claim theirs
(`prg:`), clubs their packs' and team fees' (`pck:`, `fee:`); payments takes every other one,
sessions' (`pay:`) and any it must report as unknown."""

from __future__ import annotations

from typing import Any

from telegram import Message, SuccessfulPayment
from telegram.ext.filters import MessageFilter

from domain.clubs.packs.purchase import FEE_PREFIX, PACK_PREFIX
from domain.programs.following.purchase import PAYLOAD_PREFIX as PROGRAM_INVOICES

CLUB_INVOICES = (PACK_PREFIX, FEE_PREFIX)
# Every prefix a capability other than payments claims.
CLAIMED = (PROGRAM_INVOICES, *CLUB_INVOICES)
# For a PreCheckoutQueryHandler's pattern: any payload no other capability claims.
UNCLAIMED_INVOICES = f"^(?!{'|'.join(CLAIMED)})"


class PaidInvoice(MessageFilter):
    """A successful payment of an invoice whose payload starts with `prefix` (or one of them)."""

    def __init__(self, prefix: str | tuple[str, ...]) -> None:
        super().__init__(name=f"PaidInvoice({prefix!r})")
        self.prefix = prefix

    def filter(self, message: Message) -> bool:
        """Whether the message is a successful payment of one of this prefix's invoices."""
        paid = message.successful_payment
        return paid is not None and paid.invoice_payload.startswith(self.prefix)


def charge_of(paid: SuccessfulPayment) -> dict[str, Any]:
    """What recording a payment takes from Telegram's successful payment, by argument name."""
    return {
        "invoice_payload": paid.invoice_payload,
        "currency": paid.currency,
        "total_amount": paid.total_amount,
        "telegram_charge_id": paid.telegram_payment_charge_id,
        "provider_charge_id": paid.provider_payment_charge_id or None,
    }

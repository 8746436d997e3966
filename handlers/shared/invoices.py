"""Which capability a payment belongs to, by its invoice payload's prefix: programs claim theirs
(`prg:`); payments takes every other one, sessions' (`pay:`) and any it must report as unknown."""

from __future__ import annotations

from telegram import Message
from telegram.ext.filters import MessageFilter

from domain.programs.following.purchase import PAYLOAD_PREFIX as PROGRAM_INVOICES

# For a PreCheckoutQueryHandler's pattern: any payload but a program's.
NOT_PROGRAM_INVOICES = f"^(?!{PROGRAM_INVOICES})"


class PaidInvoice(MessageFilter):
    """A successful payment of an invoice whose payload starts with `prefix`."""

    def __init__(self, prefix: str) -> None:
        super().__init__(name=f"PaidInvoice({prefix!r})")
        self.prefix = prefix

    def filter(self, message: Message) -> bool:
        """Whether the message is a successful payment of one of this prefix's invoices."""
        paid = message.successful_payment
        return paid is not None and paid.invoice_payload.startswith(self.prefix)

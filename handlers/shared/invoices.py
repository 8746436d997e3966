"""Which capability a payment belongs to, by its invoice payload's prefix: programs claim theirs
(`prg:`), clubs their packs' and team fees' (`pck:`, `fee:`); payments takes every other one,
sessions' (`pay:`) and any it must report as unknown."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from telegram import Message, PreCheckoutQuery, SuccessfulPayment
from telegram.ext.filters import MessageFilter

from bot.app import BotContext
from bot.i18n import t
from bot.i18n.formats import money_text
from domain.clubs.packs.purchase import FEE_PREFIX, PACK_PREFIX
from domain.errors import DomainError
from domain.programs.following.purchase import PAYLOAD_PREFIX as PROGRAM_INVOICES
from handlers.shared.acting import refusal_text

log = logging.getLogger(__name__)
# Telegram waits 10 s for the answer to a pre-checkout query, then fails the payment.
ANSWER_WITHIN_S = 8.0
CLUB_INVOICES = (PACK_PREFIX, FEE_PREFIX)
# A capability's pre-checkout check: refuses (DomainError) what may not be paid as invoiced.
CheckoutCheck = Callable[..., Awaitable[object]]
# A capability's recording of a successful payment, once per charge (refusing: DomainError).
RecordPayment = Callable[..., Awaitable[Any]]
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


async def answer_checkout(
    query: PreCheckoutQuery, context: BotContext, check: CheckoutCheck, **extra: Any
) -> bool:
    """Answer Telegram's last question before it charges, by the capability's `check`: yes, or
    no with the reason in the payer's language; whether it was yes."""
    try:
        async with asyncio.timeout(ANSWER_WITHIN_S):
            await check(
                context.uow,
                telegram_user_id=query.from_user.id,
                invoice_payload=query.invoice_payload,
                currency=query.currency,
                total_amount=query.total_amount,
                config=context.services.payments,
                **extra,
            )
    except DomainError as err:
        log.info("checkout of %s refused: %s", query.invoice_payload, err.message_key)
        await query.answer(ok=False, error_message=refusal_text(err, context))
        return False
    except Exception:
        # Unanswered, the checkout would hang for Telegram's 10 s and fail without a word.
        await query.answer(ok=False, error_message=t("payment.error.busy", context.lang))
        raise
    await query.answer(ok=True)
    return True


async def record_paid_invoice(
    message: Message, context: BotContext, record: RecordPayment
) -> Any | None:
    """Record Telegram's successful payment by the capability's `record`: what it returns, or
    None when the payment could not be taken (the payer is told why, and whether the money
    was returned or is due back)."""
    paid = message.successful_payment
    try:
        return await record(
            context.uow,
            telegram_user_id=message.from_user.id,
            now=datetime.now(UTC),
            **charge_of(paid),
        )
    except DomainError as err:
        refund = err.params.get("refund")
        log.warning("payment %s not taken (%s)", paid.telegram_payment_charge_id, refund)
        text = refusal_text(err, context)
        if refund is not None:
            amount = money_text(err.params.get("amount"), context.lang)
            text += "\n" + t(f"payment.returned.{refund}", context.lang, amount=amount)
        await message.reply_text(text)
        return None

"""Outbox kinds that are Bot API calls rather than texts: invoices and Stars refunds.

`bot.outbox` hands a claimed notification of one of these kinds to `SIDE_EFFECTS[kind]`
instead of rendering `notification.<kind>`. Each returns how the delivery went, or raises the
`TelegramError` of its call, which the outbox turns into an outcome as it does for a message
(403 blocked, 400 final, 429 wait, anything else retried).

- `invoice` (payload: the session's facts, with `session_id`): the invoice is built now, from
  the session as it is now (`domain.payments.invoice_for`), so a price or a status that changed
  since it was queued is never billed; a session no longer payable is given up quietly.
- `star_refund` (payload: `charge_id`, `telegram_user_id`): `refundStarPayment`. A charge
  Telegram says is already refunded is done: a retry after a lost answer must not fail it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from telegram import Bot, LabeledPrice
from telegram.error import BadRequest

from bot.i18n import t
from bot.i18n.formats import money
from bot.local_time import local_moment
from bot.wiring import Services
from domain.booking.payment_notices import INVOICE, PAY
from domain.coaching.specializations import from_catalogue
from domain.currencies import STARS
from domain.notifications.outbox import Claimed, DeliveryResult
from domain.payments.checkout import InvoiceTerms, invoice_for
from domain.payments.records import STAR_REFUND
from handlers.payments.callbacks import PayAgain

log = logging.getLogger(__name__)
ALREADY_REFUNDED = "CHARGE_ALREADY_REFUNDED"
# Telegram refuses an invoice whose title or description is longer.
TITLE_LIMIT = 32
DESCRIPTION_LIMIT = 255

SideEffect = Callable[[Bot, Services, Claimed], Awaitable[DeliveryResult]]
# A prompt's button intents (`domain.booking.payment_notices`) as callback data.
BUTTONS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    PAY: lambda spec: PayAgain(uuid.UUID(spec["session_id"])).pack(),
}


async def send_invoice(bot: Bot, services: Services, notification: Claimed) -> DeliveryResult:
    """Send the session's invoice as it stands now, or give it up if nothing is due any more."""
    session_id = uuid.UUID(str(notification.payload["session_id"]))
    terms = await invoice_for(
        services.uow, session_id=session_id, config=services.payments, now=datetime.now(UTC)
    )
    if terms is None:
        log.info("invoice for session %s not sent: no longer payable", session_id)
        return DeliveryResult.final("no longer payable")
    await send_terms(bot, terms, lang=notification.language, timezone=notification.timezone)
    return DeliveryResult.SENT


async def send_terms(bot: Bot, terms: InvoiceTerms, *, lang: str | None, timezone: str) -> None:
    """sendInvoice for terms `domain.payments` built, worded in the payer's language and time."""
    title, description, label = _words(terms, lang, timezone)
    await bot.send_invoice(
        terms.chat_id,
        title,
        description,
        terms.payload,
        terms.currency,
        [LabeledPrice(label, terms.amount)],
        # Stars (XTR) take no provider token: Telegram refuses one.
        provider_token=terms.provider_token,
    )


def _words(terms: InvoiceTerms, lang: str | None, timezone: str) -> tuple[str, str, str]:
    view = terms.session
    kind = t(f"session.type.{view.session_type}", lang)
    entry = from_catalogue(terms.sport) if terms.sport else None
    sport = t(entry.message_key, lang) if entry else (terms.sport or kind).capitalize()
    title = t("payment.invoice.title", lang, sport=sport, coach=view.coach_name)
    description = t(
        "payment.invoice.description",
        lang,
        session_type=kind,
        coach=view.coach_name,
        athlete=", ".join(view.athlete_names),
        starts_at=local_moment(view.start, timezone, lang),
        minutes=view.minutes,
    )
    if terms.currency == STARS and view.price is not None:
        # ⭐ 2000 alone does not say what it stands for: the coach's price does.
        price = money(view.price, view.currency, lang)
        description += " " + t("payment.invoice.in_stars", lang, price=price)
    label = t("payment.invoice.label", lang, minutes=view.minutes)
    return _fit(title, TITLE_LIMIT), _fit(description, DESCRIPTION_LIMIT), label


def _fit(text: str, limit: int) -> str:
    # Telegram refuses an invoice whose title or description is over its limit.
    return text if len(text) <= limit else text[: limit - 1] + "…"


async def refund_stars(bot: Bot, services: Services, notification: Claimed) -> DeliveryResult:
    """Give a Stars payment back to the person who paid it."""
    payload = notification.payload
    try:
        await bot.refund_star_payment(int(payload["telegram_user_id"]), str(payload["charge_id"]))
    except BadRequest as err:
        if ALREADY_REFUNDED not in err.message.upper():
            raise
        log.info("Stars charge %s was already refunded", payload["charge_id"])
    return DeliveryResult.SENT


SIDE_EFFECTS: dict[str, SideEffect] = {INVOICE: send_invoice, STAR_REFUND: refund_stars}

"""Paying for sessions in chat, from the invoice to the refund: the names the bot works with.

A confirmed session with a price is invoiced to its payer (`domain.payment_notices` queues it;
`invoice_for` builds it when it is sent). Telegram asks before it takes the money, and
`check_pre_checkout` answers from the session as it is then. `record_payment` books the money
once per Telegram charge and marks the session paid; `refund_for_cancellation` returns it when
a cancellation is free. Amounts are exact integers of the currency's smallest unit on the wire
(`domain.currencies`) and exact decimals of its major unit in the `payments` table.

The code lives by idea: charging and pre-checkout in `domain.payment_checkout`, money recorded
and returned in `domain.payment_records`, the /payments views in `domain.payment_views`.
"""

from __future__ import annotations

from domain.payment_checkout import (
    InvoiceTerms,
    PaymentConfig,
    PaymentRefused,
    charge,
    check_pre_checkout,
    invoice_for,
    payload_for,
)
from domain.payment_records import (
    STAR_REFUND,
    PaymentRecorded,
    record_payment,
    refund_for_cancellation,
)
from domain.payment_views import (
    AdminOverview,
    CurrencyTotal,
    MonthTotal,
    PaymentLine,
    RefundDue,
    admin_overview,
    coach_earnings,
    payer_history,
)

__all__ = [
    "STAR_REFUND",
    "AdminOverview",
    "CurrencyTotal",
    "InvoiceTerms",
    "MonthTotal",
    "PaymentConfig",
    "PaymentLine",
    "PaymentRecorded",
    "PaymentRefused",
    "RefundDue",
    "admin_overview",
    "charge",
    "check_pre_checkout",
    "coach_earnings",
    "invoice_for",
    "payer_history",
    "payload_for",
    "record_payment",
    "refund_for_cancellation",
]

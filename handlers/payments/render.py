"""Words for payments: a payment sent back, and the three /payments views.

Amounts are written in the reader's language by CLDR (`bot.i18n.formats.money`: "€45.00",
"45,00 €", "⭐ 2000"), each in its own currency: nothing is ever summed across currencies.
"""

from __future__ import annotations

from datetime import date, datetime

from bot.i18n import t
from bot.i18n.formats import money, money_text, month_name
from bot.local_time import local_moment
from domain.clubs.packs.balances import FamilyMoney, FeeLine, PackBalance
from domain.payments.views import AdminOverview, MonthTotal, PaymentLine, RefundDue
from domain.timezones import zone_of


def returned(refund: object, amount: object, lang: str | None) -> str:
    """How a payment the session could not take comes back (by the bot, or by an admin)."""
    return t(f"payment.returned.{refund}", lang, amount=money_text(amount, lang))


def history(lines: list[PaymentLine], *, timezone: str, lang: str | None) -> str:
    """A payer's payments, newest first: date, session, amount, status."""
    if not lines:
        return t("payment.history.empty", lang)
    rows = [t("payment.history.title", lang)]
    rows += [_history_line(line, timezone, lang) for line in lines]
    return "\n".join(rows)


def family(money: FamilyMoney, *, timezone: str, lang: str | None) -> str:
    """A family's /payments: their packs and team fees first, then what they paid."""
    parts = []
    if money.packs:
        rows = [t("payment.packs.title", lang)]
        rows += [_pack_line(pack, timezone, lang) for pack in money.packs]
        parts.append("\n".join(rows))
    if money.fees:
        rows = [t("payment.fees.title", lang)]
        rows += [_fee_line(fee, lang) for fee in money.fees]
        parts.append("\n".join(rows))
    parts.append(history(money.history, timezone=timezone, lang=lang))
    return "\n\n".join(parts)


def _pack_line(pack: PackBalance, timezone: str, lang: str | None) -> str:
    key = "payment.packs.expired" if pack.expired else "payment.packs.line"
    return t(
        key,
        lang,
        athlete=pack.athlete_name,
        name=pack.name,
        coach=pack.coach_name,
        left=pack.sessions_left,
        total=pack.sessions_total,
        expires=_day(pack.expires_at, timezone, lang),
    )


def _fee_line(fee: FeeLine, lang: str | None) -> str:
    key = "payment.fees.paid" if fee.paid else "payment.fees.due"
    return t(
        key,
        lang,
        athlete=fee.athlete_name,
        team=fee.team_name,
        period=_words(f"fees.period.{fee.period}", lang, fee.period),
        start=_date(fee.period_start, lang),
        due=_date(fee.due_on, lang),
        amount=money_text(fee.amount, lang),
    )


def _date(value: date, lang: str | None) -> str:
    return t(
        "payment.date", lang, day=value.day, month=_month_name(value.month, lang), year=value.year
    )


def _history_line(line: PaymentLine, timezone: str, lang: str | None) -> str:
    if line.session_start is None and line.payment_type in ("pack", "team_fee"):
        session = t(f"payment.history.{line.payment_type}", lang, coach=line.coach_name)
    elif line.session_start is None:
        session = t("payment.history.no_session", lang)
    else:
        session = t(
            "payment.history.session",
            lang,
            coach=line.coach_name,
            athlete=line.athlete_name,
            starts_at=local_moment(line.session_start, timezone, lang),
        )
    return t(
        "payment.history.line",
        lang,
        date=_day(line.paid_at, timezone, lang),
        session=session,
        amount=money(line.amount, line.currency, lang),
        status=_words(f"payment.status.{line.status}", lang, line.status),
    )


def earnings(months: list[MonthTotal], *, lang: str | None) -> str:
    """A coach's takings per month and currency, newest month first."""
    if not months:
        return t("payment.earnings.empty", lang)
    rows = [t("payment.earnings.title", lang)]
    for total in months:
        key = "payment.earnings.line_refunds" if total.refunded else "payment.earnings.line"
        rows.append(
            t(
                key,
                lang,
                month=_month(total.month, lang),
                net=money(total.net, total.currency, lang),
                received=money(total.received, total.currency, lang),
                refunded=money(total.refunded, total.currency, lang),
                count=total.payments,
            )
        )
    return "\n".join(rows)


def admin_overview(overview: AdminOverview, *, timezone: str, lang: str | None) -> str:
    """Totals per currency, the refunds an admin must make by hand, and failed payments."""
    rows = [t("payment.admin.title", lang), ""]
    if overview.totals:
        rows.append(t("payment.admin.totals", lang))
        rows += [
            t(
                "payment.admin.total_line",
                lang,
                net=money(total.net, total.currency, lang),
                received=money(total.received, total.currency, lang),
                refunded=money(total.refunded, total.currency, lang),
                count=total.payments,
            )
            for total in overview.totals
        ]
    else:
        rows.append(t("payment.admin.no_totals", lang))
    rows.append("")
    if overview.refunds_due:
        rows.append(t("payment.admin.refunds_due", lang, count=len(overview.refunds_due)))
        rows += [_refund_line(refund, timezone, lang) for refund in overview.refunds_due]
    else:
        rows.append(t("payment.admin.no_refunds", lang))
    rows.append(t("payment.admin.failed", lang, count=overview.failed))
    return "\n".join(rows)


def _refund_line(refund: RefundDue, timezone: str, lang: str | None) -> str:
    return t(
        "payment.admin.refund_line",
        lang,
        amount=money(refund.amount, refund.currency, lang),
        payer=refund.payer_name or "?",
        coach=refund.coach_name or "?",
        date=_day(refund.paid_at, timezone, lang),
        # The provider's dashboard finds a card charge by its own id.
        charge=refund.provider_charge_id or refund.telegram_charge_id or "?",
    )


def _day(instant: datetime, timezone: str, lang: str | None) -> str:
    local = instant.astimezone(zone_of(timezone))
    return t(
        "payment.date", lang, day=local.day, month=_month_name(local.month, lang), year=local.year
    )


def _month(first_day: date, lang: str | None) -> str:
    return t("payment.month", lang, month=_month_name(first_day.month, lang), year=first_day.year)


def _month_name(month: int, lang: str | None) -> str:
    return month_name(month, lang)


def _words(key: str, lang: str | None, fallback: str) -> str:
    try:
        return t(key, lang)
    except KeyError:
        # A status or type the catalogue does not know yet is still better shown than lost.
        return fallback

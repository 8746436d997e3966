"""Words and buttons of /packs and /fees: a coach's packs and teams' fees, the packs a family
may buy, who has paid a team's fee, and the invoice of a pack or a fee."""

from __future__ import annotations

from datetime import date

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import t
from bot.i18n.formats import money, month_name
from domain.clubs.packs.fees import TeamFees
from domain.clubs.packs.offers import FamilyOffers, Offer
from domain.clubs.packs.purchase import Invoice
from domain.currencies import STARS
from handlers.clubs.pack_callbacks import FeePaid, FeeSet, PackBuy, PackNew, PackWithdraw

Screen = tuple[str, InlineKeyboardMarkup | None]


def day(value: date, lang: str | None) -> str:
    """A date as the reader writes it: "30 Nov 2026"."""
    return t("fees.date", lang, day=value.day, month=month_name(value.month, lang), year=value.year)


def offer_line(offer: Offer, lang: str | None) -> str:
    """One pack: name, sessions, price, days valid (and whose, for a family)."""
    terms = offer.terms
    line = t(
        "packs.line",
        lang,
        name=terms.name,
        sessions=terms.sessions,
        price=money(terms.price, terms.currency, lang),
        days=terms.valid_days,
    )
    return f"{line} — {offer.coach_name}" if offer.coach_name else line


def coach_packs(offers: list[Offer], lang: str | None) -> Screen:
    """A coach's packs on sale, with ➕ New pack and a withdraw button each."""
    lines = [t("packs.coach.title", lang)]
    lines += [offer_line(offer, lang) for offer in offers] or [t("packs.coach.none", lang)]
    rows = [[InlineKeyboardButton(t("packs.button.new", lang), callback_data=PackNew().pack())]]
    rows += [
        [
            InlineKeyboardButton(
                t("packs.button.withdraw", lang, name=offer.terms.name),
                callback_data=PackWithdraw(offer.offer_id).pack(),
            )
        ]
        for offer in offers
    ]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def family_packs(found: FamilyOffers, me: str, lang: str | None) -> Screen:
    """The packs a family may buy, a Buy button per pack and athlete."""
    if not found.offers:
        return t("packs.family.none", lang), None
    lines = [t("packs.family.title", lang)]
    lines += [offer_line(offer, lang) for offer in found.offers]
    rows = [
        [
            InlineKeyboardButton(
                t("packs.button.buy", lang, name=offer.terms.name, athlete=name or me),
                callback_data=PackBuy(offer.offer_id, athlete_id).pack(),
            )
        ]
        for offer in found.offers
        for athlete_id, name in found.athletes
    ]
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def coach_fees(teams: list[TeamFees], lang: str | None) -> Screen:
    """Each team the coach runs: its fee (or none), how many have paid, and its buttons."""
    if not teams:
        return t("fees.no_teams", lang), None
    lines, rows = [t("fees.title", lang)], []
    for team in teams:
        if team.fee is None:
            lines.append(t("fees.team_unset", lang, team=team.team_name))
        else:
            paid = sum(1 for due in team.dues if due.paid)
            lines.append(
                t(
                    "fees.team_line",
                    lang,
                    team=team.team_name,
                    price=money(team.fee.price, team.fee.currency, lang),
                    period=t(f"fees.period.{team.fee.period}", lang),
                    paid=paid,
                    owed=len(team.dues),
                )
            )
        buttons = [
            InlineKeyboardButton(
                t("fees.button.set", lang, team=team.team_name),
                callback_data=FeeSet(team.team_id).pack(),
            )
        ]
        if team.fee is not None:
            buttons.append(
                InlineKeyboardButton(
                    t("fees.button.paid", lang), callback_data=FeePaid(team.team_id).pack()
                )
            )
        rows.append(buttons)
    return "\n".join(lines), InlineKeyboardMarkup(rows)


def who_paid(team: TeamFees, lang: str | None) -> str:
    """Who has paid a team's fee, period by period."""
    lines = [t("fees.who_paid.title", lang, team=team.team_name)]
    if not team.dues:
        lines.append(t("fees.who_paid.none", lang))
    for due in team.dues:
        key = "fees.who_paid.paid" if due.paid else "fees.who_paid.due"
        lines.append(
            t(
                key,
                lang,
                athlete=due.athlete_name,
                period=day(due.period_start, lang),
                due=day(due.due_on, lang),
            )
        )
    return "\n".join(lines)


def invoice_words(invoice: Invoice, lang: str | None) -> tuple[str, str, str]:
    """(title, description, price label) of a pack's or a fee's invoice."""
    if invoice.kind == "pack":
        title = t("packs.invoice.title", lang, name=invoice.name)
        description = t(
            "packs.invoice.description", lang, name=invoice.name, sessions=invoice.sessions
        )
        label = t("packs.invoice.label", lang, sessions=invoice.sessions)
    else:
        period = t(f"fees.period.{invoice.period}", lang)
        title = t("fees.invoice.title", lang, team=invoice.name)
        description = t("fees.invoice.description", lang, team=invoice.name, period=period)
        label = t("fees.invoice.label", lang, period=period)
    if invoice.currency == STARS:
        price = money(invoice.price, invoice.price_currency, lang)
        description += " " + t("payment.invoice.in_stars", lang, price=price)
    return title, description, label

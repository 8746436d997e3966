"""The admin screens' words: a person's card, search matches, /stats, /audit, /refunds."""

from __future__ import annotations

from datetime import datetime

from babel.dates import format_datetime
from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import catalogues, resolve, t
from bot.i18n.formats import locale_of, money, month_name
from domain.admin.admins import AdminLine
from domain.admin.audit_trail import AuditLine, AuditPage
from domain.admin.people import Match, PersonCard
from domain.admin.stats import Stats
from domain.payments.views import RefundDue
from domain.short_ids import short_id
from domain.timezones import zone_of
from handlers.admin.callbacks import AuditTurn, PersonAction, PersonPress, RefundPress

NONE = "—"


def when(at: datetime | None, lang: str | None, timezone: str) -> str:
    """A moment in the reader's language and zone: "7 Dec 2026, 04:10"."""
    if at is None:
        return NONE
    local = at.astimezone(zone_of(timezone))
    return format_datetime(local, "medium", tzinfo=local.tzinfo, locale=locale_of(lang))


def _known(key: str, lang: str | None) -> bool:
    messages = catalogues()
    return key in messages.get(resolve(lang), {}) or key in messages.get("en", {})


def role_word(role: str, lang: str | None) -> str:
    """A role in the reader's words."""
    key = f"admin.role.{role}"
    return t(key, lang) if _known(key, lang) else role


def status_word(status: str, lang: str | None) -> str:
    """An account or session status in the reader's words."""
    key = f"admin.status.{status}"
    return t(key, lang) if _known(key, lang) else status


def action_words(action: str, lang: str | None) -> str:
    """An audited action in the reader's words; an action without words shows its code."""
    key = f"audit.action.{action}"
    return t(key, lang) if _known(key, lang) else action


def card_text(card: PersonCard, lang: str | None, timezone: str) -> str:
    """The person's card."""
    lines = [
        t("admin.card.title", lang, name=card.name, role=role_word(card.role, lang)),
        t("admin.card.status", lang, status=status_word(card.status, lang)),
    ]
    if card.is_admin:
        lines.append(t("admin.card.is_admin", lang))
    if card.suspension_reason:
        lines.append(t("admin.card.suspended_for", lang, reason=card.suspension_reason))
    account = f"@{card.username}" if card.username else NONE
    lines.append(t("admin.card.telegram", lang, id=card.telegram_user_id or NONE, username=account))
    lines.append(
        t(
            "admin.card.seen",
            lang,
            signed_up=when(card.signed_up_at, lang, timezone),
            seen=when(card.last_seen_at, lang, timezone),
        )
    )
    if card.children:
        lines.append(t("admin.card.children", lang, names=", ".join(card.children)))
    if card.guardians:
        lines.append(t("admin.card.guardians", lang, names=", ".join(card.guardians)))
    if card.coaches:
        lines.append(t("admin.card.coaches", lang, names=", ".join(card.coaches)))
    if card.athletes_coached is not None:
        lines.append(t("admin.card.athletes_coached", lang, count=card.athletes_coached))
    lines.append(t("admin.card.recent", lang))
    lines += [
        f"• {when(at, lang, timezone)}: {action_words(action, lang)}" for action, at in card.recent
    ] or [f"• {NONE}"]
    return "\n".join(lines)


def card_buttons(card: PersonCard, lang: str | None) -> InlineKeyboardMarkup:
    """Suspend or unsuspend, reset, make or remove admin."""

    def button(key: str, action: PersonAction) -> InlineKeyboardButton:
        return InlineKeyboardButton(
            t(key, lang), callback_data=PersonPress(action, card.user_id).pack()
        )

    suspend = (
        button("admin.button.unsuspend", PersonAction.UNSUSPEND)
        if card.status == "suspended"
        else button("admin.button.suspend", PersonAction.SUSPEND)
    )
    rights = (
        button("admin.button.demote", PersonAction.DEMOTE)
        if card.is_admin
        else button("admin.button.promote", PersonAction.PROMOTE)
    )
    rows = [[rights]] if card.is_admin else [[suspend], [rights]]
    if card.telegram_user_id is not None:
        rows.insert(0, [button("admin.button.reset", PersonAction.RESET)])
    return InlineKeyboardMarkup(rows)


def matches(
    found: list[Match], query: str, nearest: bool, lang: str | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The people a search found, one button each; or that nobody is alike."""
    if not found:
        return t("admin.user.nobody", lang, query=query), None
    key = "admin.user.nearest" if nearest else "admin.user.several"
    rows = [
        [
            InlineKeyboardButton(
                f"{m.name} · {role_word(m.role, lang)}",
                callback_data=PersonPress(PersonAction.OPEN, m.user_id).pack(),
            )
        ]
        for m in found
    ]
    return t(key, lang, query=query), InlineKeyboardMarkup(rows)


def admins_text(lines: list[AdminLine], lang: str | None, timezone: str) -> str:
    """/admins: who they are and since when."""
    rows = [
        t("admin.admins.line", lang, name=line.name, since=when(line.granted_at, lang, timezone))
        for line in lines
    ]
    return "\n".join([t("admin.admins.title", lang), *rows, t("admin.admins.hint", lang)])


def stats_text(stats: Stats, lang: str | None, timezone: str) -> str:
    """/stats in words."""
    people = [
        f"• {role_word(role, lang)}: "
        + ", ".join(f"{status_word(s, lang)} {n}" for s, n in sorted(by_status.items()))
        for role, by_status in sorted(stats.people.items())
    ] or [f"• {NONE}"]
    sessions = ", ".join(
        f"{status_word(s, lang)} {stats.sessions.get(s, 0)}"
        for s in ("requested", "scheduled", "completed", "cancelled", "no_show")
    )
    revenue = [
        f"• {month_name(month.month, lang)} {month.year}: {money(kept, currency, lang)}"
        for month, currency, kept in stats.revenue[-12:]
    ] or [f"• {NONE}"]
    depth = NONE if stats.video_queue_depth is None else stats.video_queue_depth
    return "\n".join(
        [
            t("admin.stats.title", lang),
            t("admin.stats.people", lang, new=stats.new_this_week),
            *people,
            t("admin.stats.sessions", lang, counts=sessions),
            t("admin.stats.revenue", lang),
            *revenue,
            t(
                "admin.stats.videos",
                lang,
                analyzed=stats.videos.get("analyzed", 0),
                failed=stats.videos.get("failed", 0),
            ),
            t(
                "admin.stats.outbox",
                lang,
                backlog=stats.outbox_backlog,
                oldest=when(stats.outbox_oldest_due, lang, timezone),
            ),
            t("admin.stats.queue", lang, depth=depth),
        ]
    )


def entity_words(line: AuditLine, lang: str | None) -> str:
    """What an entry was about, in the reader's words: "session 3fK…", "un botón"."""
    key = f"admin.entity.{line.entity}"
    ident = short_id(line.entity_id) if line.entity_id else ""
    if _known(key, lang):
        return t(key, lang, id=ident).strip()
    return f"{line.entity} {ident}".strip()


def audit_line(line: AuditLine, lang: str | None, timezone: str) -> str:
    """Who did what to what, and when."""
    target = line.target or entity_words(line, lang)

    return t(
        "admin.audit.line",
        lang,
        at=when(line.at, lang, timezone),
        actor=line.actor or t("admin.audit.system", lang),
        action=action_words(line.action, lang),
        target=target,
    )


def audit_page(
    page: AuditPage, lang: str | None, timezone: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A page of the audit trail, with Newer / Older buttons."""
    if not page.total:
        return t("admin.audit.empty", lang), None
    head = t("admin.audit.title", lang, page=page.page + 1, pages=page.pages, total=page.total)
    text = "\n".join([head, *(audit_line(line, lang, timezone) for line in page.lines)])
    turns = []
    if page.page > 0:
        turns.append(
            InlineKeyboardButton(
                t("admin.button.newer", lang), callback_data=AuditTurn(page.page - 1).pack()
            )
        )
    if page.page + 1 < page.pages:
        turns.append(
            InlineKeyboardButton(
                t("admin.button.older", lang), callback_data=AuditTurn(page.page + 1).pack()
            )
        )
    return text, InlineKeyboardMarkup([turns]) if turns else None


def refunds(
    due: list[RefundDue], lang: str | None, timezone: str
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Refunds an admin has to make, each with a Mark refunded button."""
    if not due:
        return t("admin.refunds.none", lang), None
    lines = [t("admin.refunds.title", lang)]
    rows = []
    for number, refund in enumerate(due, start=1):
        lines.append(
            t(
                "admin.refunds.line",
                lang,
                number=number,
                amount=money(refund.amount, refund.currency, lang),
                payer=refund.payer_name or NONE,
                coach=refund.coach_name or NONE,
                paid=when(refund.paid_at, lang, timezone),
                charge=refund.provider_charge_id or refund.telegram_charge_id or NONE,
            )
        )
        label = t("admin.button.refunded", lang, number=number)
        rows.append(
            [InlineKeyboardButton(label, callback_data=RefundPress(refund.payment_id).pack())]
        )
    return "\n".join(lines), InlineKeyboardMarkup(rows)

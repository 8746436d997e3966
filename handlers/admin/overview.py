"""/stats (text and a chart) and /audit (filtered, a page at a time); and the refusal of any
`adm:` button this version does not have."""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from bot.sending import send_text
from domain.admin import admins, audit_trail, stats
from domain.admin.audit_trail import AuditFilter
from domain.errors import InvalidAnswer, NotAllowed, NotFound
from handlers.admin import render
from handlers.admin.callbacks import FLOW, AuditTurn
from handlers.admin.charts import render_stats_async
from handlers.shared.acting import refusal_text
from handlers.shared.callback_data import flow_pattern
from handlers.shared.common import unknown_command

log = logging.getLogger(__name__)
AUDIT_FILTER = "admin_audit"  # user_data: the filter the page buttons turn through
ROLE_COMMANDS = {
    "admin": [("stats", "admin.command.stats"), ("audit", "admin.command.audit")],
}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
_KEYS = {"action": "action", "from": "since", "to": "until"}


def register(application: BotApplication) -> None:
    """Add /stats, /audit and its page buttons; refuse any other admin button."""
    application.add_handler(CommandHandler("stats", show_stats, filters=_PRIVATE))
    application.add_handler(CommandHandler("audit", show_audit, filters=_PRIVATE))
    application.add_handler(CallbackQueryHandler(turn_audit, pattern=AuditTurn.pattern()))
    application.add_handler(CallbackQueryHandler(unknown_button, pattern=flow_pattern(FLOW)))


async def show_stats(update: Update, context: BotContext) -> None:
    """/stats: the figures in words, then as a chart."""
    actor = context.actor
    try:
        if actor is None:
            raise NotAllowed("not signed up")
        figures = await stats.stats(
            context.uow, admin=actor, now=datetime.now(UTC), videos=context.services.video_queue
        )
    except NotAllowed:
        await unknown_command(update, context)
        return
    chat_id = update.effective_chat.id
    await send_text(
        context.bot, chat_id, render.stats_text(figures, context.lang, context.timezone)
    )
    chart = await render_stats_async(figures, context.lang)
    await context.bot.send_photo(chat_id, chart, caption=t("admin.chart.caption", context.lang))


async def show_audit(update: Update, context: BotContext) -> None:
    """/audit [person] [action:...] [from:YYYY-MM-DD] [to:YYYY-MM-DD]: the newest entries."""
    message = update.effective_message
    try:
        admins.require_admin(context.actor)  # before reading the words: nothing to learn
    except NotAllowed:
        await unknown_command(update, context)
        return
    try:
        wanted = _audit_filter(context.args or [])
    except InvalidAnswer as err:
        await message.reply_text(refusal_text(err, context))
        return
    context.user_data[AUDIT_FILTER] = _stored(wanted)
    await _send_page(update, context, wanted, 0, edit=False)


async def turn_audit(update: Update, context: BotContext) -> None:
    """Newer or Older: the next page of the same filter."""
    press, stored = AuditTurn.parse(update.callback_query.data), context.user_data.get(AUDIT_FILTER)
    if press is None or context.actor is None or not isinstance(stored, dict):
        await refuse(update, context, reason="audit page: malformed, unknown presser or no filter")
        return
    await _send_page(update, context, _restored(stored), press.page, edit=True)


async def _send_page(
    update: Update, context: BotContext, wanted: AuditFilter, page: int, *, edit: bool
) -> None:
    actor = context.actor
    assert actor is not None
    try:
        found = await audit_trail.read(
            context.uow, admin=actor, wanted=wanted, page=page, timezone=context.timezone
        )
    except NotAllowed:
        if edit:
            await refuse(update, context, reason="audit page: not an admin")
        else:
            await unknown_command(update, context)
        return
    except NotFound:
        await update.effective_message.reply_text(
            t("admin.audit.no_person", context.lang, query=wanted.person)
        )
        return
    text, buttons = render.audit_page(found, context.lang, context.timezone)
    if edit:
        await update.callback_query.answer()
        await update.callback_query.edit_message_text(text, reply_markup=buttons)
    else:
        await send_text(context.bot, update.effective_chat.id, text, reply_markup=buttons)


def _audit_filter(args: list[str]) -> AuditFilter:
    """`action:`, `from:` and `to:` words, the rest naming the person; InvalidAnswer if a date
    does not read."""
    found: dict[str, Any] = {}
    person: list[str] = []
    for word in args:
        key, sep, value = word.partition(":")
        if sep and key.lower() in _KEYS and value:
            found[_KEYS[key.lower()]] = value
        else:
            person.append(word)
    try:
        since = date.fromisoformat(found["since"]) if "since" in found else None
        until = date.fromisoformat(found["until"]) if "until" in found else None
    except ValueError:
        raise InvalidAnswer("admin.audit.usage") from None
    return AuditFilter(" ".join(person) or None, found.get("action"), since, until)


def _stored(wanted: AuditFilter) -> dict[str, str | None]:
    return {
        "person": wanted.person,
        "action": wanted.action,
        "since": wanted.since.isoformat() if wanted.since else None,
        "until": wanted.until.isoformat() if wanted.until else None,
    }


def _restored(stored: dict[str, Any]) -> AuditFilter:
    def day(value: object) -> date | None:
        return date.fromisoformat(value) if isinstance(value, str) else None

    person, action = stored.get("person"), stored.get("action")
    return AuditFilter(
        person if isinstance(person, str) else None,
        action if isinstance(action, str) else None,
        day(stored.get("since")),
        day(stored.get("until")),
    )


async def unknown_button(update: Update, context: BotContext) -> None:
    """An admin button this version does not have."""
    await refuse(update, context, reason="unknown admin button")

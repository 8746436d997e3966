"""/consent: a guardian gives or revokes consent to a minor's training videos (issue 18).

The request that reaches guardians when a child's video is refused carries the same Consent
button (`handlers.videos.delivery.BUTTONS`). Each press is checked again by the domain.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import UTC, datetime

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from bot.local_time import local_moment
from domain.errors import NotAllowed, NotFound
from domain.videos.consent import ChildConsent, children_consents, give_consent, revoke_consent
from handlers.shared.callback_data import flow_pattern, parse_any
from handlers.shared.edit_in_place import edit_pressed
from handlers.videos.callbacks import CONSENT_FLOW, ConsentGive, ConsentRevoke

log = logging.getLogger(__name__)
ROLE_COMMANDS = {"parent": [("consent", "video.command.consent")]}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE


def register(application: BotApplication) -> None:
    """Add /consent and the consent buttons."""
    application.add_handler(CommandHandler("consent", show_consents, filters=_PRIVATE))
    application.add_handler(CallbackQueryHandler(on_button, pattern=flow_pattern(CONSENT_FLOW)))


async def show_consents(update: Update, context: BotContext) -> None:
    """/consent: each child the person guards, their consent, and a button to change it."""
    message = update.effective_message
    actor = context.actor
    children = (
        await children_consents(
            context.uow,
            actor=actor,
            box=context.services.secrets,
            today=datetime.now(UTC).date(),
        )
        if actor is not None
        else []
    )
    if not children:
        await message.reply_text(t("video.consent.no_children", context.lang))
        return
    await message.reply_text(_text(children, context), reply_markup=_markup(children, context.lang))


async def on_button(update: Update, context: BotContext) -> None:
    """Consent or Revoke pressed: re-checked by the domain, then the screen shows the change."""
    press = parse_any(update.callback_query.data, [ConsentGive, ConsentRevoke])
    actor = context.actor
    if press is None or actor is None:
        await refuse(update, context, reason="consent button: malformed or not signed up")
        return
    change = give_consent if isinstance(press, ConsentGive) else revoke_consent
    try:
        state = await change(
            context.uow, actor=actor, athlete_id=press.athlete_id, now=datetime.now(UTC)
        )
    except (NotAllowed, NotFound) as err:
        await refuse(update, context, reason=f"consent {press.prefix}: {type(err).__name__}")
        return
    log.info("video consent %s for athlete %s", press.prefix, press.athlete_id)
    query = update.callback_query
    key = "video.consent.given" if state.given else "video.consent.revoked"
    await query.answer(t(key, context.lang, name=state.name))
    await edit_pressed(query, _text([state], context), _markup([state], context.lang))


def _text(children: Sequence[ChildConsent], context: BotContext) -> str:
    lines = [t("video.consent.title", context.lang)]
    for child in children:
        when = local_moment(child.at, context.timezone, context.lang) if child.at else ""
        if not child.needed:
            key = "video.consent.line_adult"
        elif child.given:
            key = "video.consent.line_given"
        elif child.at is not None:
            key = "video.consent.line_revoked"
        else:
            key = "video.consent.line_missing"
        lines.append(t(key, context.lang, name=child.name, by=child.by_name, when=when))
    lines.append(t("video.consent.explain", context.lang))
    return "\n\n".join(lines)


def _markup(children: Sequence[ChildConsent], lang: str | None) -> InlineKeyboardMarkup | None:
    rows = [
        [
            InlineKeyboardButton(
                t("video.consent.button.revoke", lang, name=child.name),
                callback_data=ConsentRevoke(child.athlete_id).pack(),
            )
            if child.given
            else InlineKeyboardButton(
                t("video.consent.button.give_for", lang, name=child.name),
                callback_data=ConsentGive(child.athlete_id).pack(),
            )
        ]
        for child in children
        if child.needed or child.given
    ]
    return InlineKeyboardMarkup(rows) if rows else None

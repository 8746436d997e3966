"""The catalogue: sports, their levels, the programs of a level, a program's page, and the
expiring link to a file of a program one follows (or wrote)."""

from __future__ import annotations

import logging

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from domain.adapters.storage import StorageError
from domain.errors import DomainError
from domain.programs import catalogue, materials
from handlers.programs import render
from handlers.programs.callbacks import (
    CATALOGUE_FLOW,
    BrowseHome,
    BrowseLevel,
    BrowseSport,
    OpenMaterial,
    OpenProgram,
)
from handlers.shared.acting import refusal_text
from handlers.shared.callback_data import flow_pattern, parse_any
from handlers.shared.edit_in_place import edit_or_reply

log = logging.getLogger(__name__)
_PRESSES = (BrowseHome, BrowseSport, BrowseLevel, OpenProgram, OpenMaterial)


def register(application: BotApplication) -> None:
    """Add the catalogue's buttons (/programs itself is the authoring flow's entry)."""
    application.add_handler(CallbackQueryHandler(on_press, pattern=flow_pattern(CATALOGUE_FLOW)))


async def show_sports(update: Update, context: BotContext) -> None:
    """The sports with published programs."""
    offers = await catalogue.sports(context.uow)
    await edit_or_reply(update, *render.sports_view(offers, context.lang))


async def on_press(update: Update, context: BotContext) -> None:
    """Any catalogue button; what it names is checked again by the domain."""
    press = parse_any(update.callback_query.data, _PRESSES)
    if press is None:
        await refuse(update, context, reason="catalogue button: malformed")
        return
    lang = context.lang
    try:
        if isinstance(press, BrowseHome):
            await show_sports(update, context)
        elif isinstance(press, BrowseSport):
            offers = await catalogue.levels(context.uow, sport=press.sport)
            await edit_or_reply(update, *render.levels_view(press.sport, offers, lang))
        elif isinstance(press, BrowseLevel):
            entries = await catalogue.programs(context.uow, sport=press.sport, level=press.level)
            await edit_or_reply(
                update, *render.programs_view(press.sport, press.level, entries, lang)
            )
        elif isinstance(press, OpenProgram):
            page = await catalogue.program_page(
                context.uow, actor=context.actor, program_id=press.program_id
            )
            text = render.page_text(page, lang)
            await edit_or_reply(update, text, render.page_keyboard(page, lang))
        else:
            await _send_link(update, context, press)
    except DomainError as err:
        log.info("catalogue press refused: %s", err.detail or err.message_key)
        await update.callback_query.answer(refusal_text(err, context), show_alert=True)


async def _send_link(update: Update, context: BotContext, press: OpenMaterial) -> None:
    actor = context.actor
    if actor is None:
        await refuse(update, context, reason="material link: not signed up")
        return
    try:
        link = await materials.link(
            context.uow, context.services.storage, actor=actor, material_id=press.material_id
        )
    except StorageError:
        log.exception("no link for material %s", press.material_id)
        await update.callback_query.answer(
            t("programs.error.material_fetch", context.lang), show_alert=True
        )
        return
    await update.callback_query.answer()
    button = InlineKeyboardButton(t("programs.materials.open", context.lang), url=link.url)
    await update.effective_message.reply_text(
        t("programs.materials.link", context.lang, title=link.title, minutes=link.expires_in // 60),
        reply_markup=InlineKeyboardMarkup([[button]]),
    )

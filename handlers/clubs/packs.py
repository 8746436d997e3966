"""/packs and /fees: a coach's packs of private lessons (a new one typed in one line, withdraw
one) and their teams' fees (set one in one line, see who has paid); the packs a family may buy,
each sent as an invoice (`handlers.clubs.pack_payments` takes the payment)."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from bot.i18n.formats import money
from domain.clubs.packs import fees, offers, purchase
from domain.errors import DomainError
from domain.policy import Actor
from handlers.clubs import packs_render as render
from handlers.clubs.pack_callbacks import (
    PACKS_FLOW,
    FeePaid,
    FeeSet,
    PackBuy,
    PackNew,
    PackWithdraw,
)
from handlers.clubs.pack_payments import send_invoice
from handlers.shared.acting import refusal_text
from handlers.shared.callback_data import flow_pattern, parse_any
from handlers.shared.common import cancel_fallback
from handlers.shared.edit_in_place import edit_or_reply

log = logging.getLogger(__name__)
END = ConversationHandler.END
IDLE, PACK_LINE, FEE_LINE = range(3)
TEAM = "fee_team"  # user_data: the team whose fee is being typed
_PACKS = [("packs", "packs.command")]
ROLE_COMMANDS = {
    "athlete": _PACKS,
    "parent": _PACKS,
    "coach": [*_PACKS, ("fees", "fees.command")],
}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
_TEXT = _PRIVATE & f.TEXT & ~f.COMMAND
_PRESSES = (PackNew, PackWithdraw, PackBuy, FeeSet, FeePaid)
Typed = Callable[[Update, BotContext, Actor, str], Awaitable[int]]


def register(application: BotApplication) -> None:
    """Add the /packs and /fees conversation."""
    press = CallbackQueryHandler(on_press, pattern=flow_pattern(PACKS_FLOW))
    states: dict[object, list[Any]] = {
        IDLE: [press],
        PACK_LINE: [press, MessageHandler(_TEXT, _typed(PACK_LINE, got_pack))],
        FEE_LINE: [press, MessageHandler(_TEXT, _typed(FEE_LINE, got_fee))],
    }
    application.add_handler(
        ConversationHandler(
            entry_points=[
                CommandHandler("packs", show_packs, filters=_PRIVATE),
                CommandHandler("fees", show_fees, filters=_PRIVATE),
                press,
            ],
            states=states,
            fallbacks=[cancel_fallback()],
            name="packs",
            persistent=True,
            allow_reentry=True,
        )
    )


async def show_packs(update: Update, context: BotContext) -> int:
    """/packs: a coach's own packs; a family's, the packs they may buy."""
    actor = context.actor
    if actor is None:
        await update.effective_message.reply_text(t("packs.sign_up_first", context.lang))
        return END
    await edit_or_reply(update, *await _packs_screen(context, actor), edit=False)
    return IDLE


async def _packs_screen(context: BotContext, actor: Actor) -> render.Screen:
    if actor.coach_id is not None:
        return render.coach_packs(await offers.coach_offers(context.uow, actor=actor), context.lang)
    found = await offers.family_offers(context.uow, actor=actor)
    return render.family_packs(found, t("booking.athlete.me", context.lang), context.lang)


async def show_fees(update: Update, context: BotContext) -> int:
    """/fees: the teams a coach runs, each with its fee and how many have paid."""
    actor = context.actor
    if actor is None or actor.coach_id is None:
        await update.effective_message.reply_text(t("fees.coaches_only", context.lang))
        return END
    teams = await fees.coach_fees(context.uow, actor=actor)
    await edit_or_reply(update, *render.coach_fees(teams, context.lang), edit=False)
    return IDLE


async def on_press(update: Update, context: BotContext) -> int:
    """Any button of /packs or /fees: re-check the presser, then do what it names."""
    press = parse_any(update.callback_query.data, _PRESSES)
    actor = context.actor
    if press is None or actor is None:
        await refuse(update, context, reason="packs button: malformed or not signed up")
        return IDLE
    try:
        return await _act(update, context, actor, press)
    except DomainError as err:
        log.info("packs button refused for %s: %s", actor.user_id, err.detail or err.message_key)
        await update.callback_query.answer(refusal_text(err, context), show_alert=True)
        return IDLE


async def _act(update: Update, context: BotContext, actor: Actor, press: object) -> int:
    lang = context.lang
    if isinstance(press, PackNew):
        await edit_or_reply(update, t("packs.new.ask", lang), None)
        return PACK_LINE
    if isinstance(press, PackWithdraw):
        await offers.withdraw_pack(
            context.uow, actor=actor, offer_id=press.offer_id, now=datetime.now(UTC)
        )
        await edit_or_reply(update, *await _packs_screen(context, actor))
        return IDLE
    if isinstance(press, FeeSet):
        context.user_data[TEAM] = str(press.team_id)
        await edit_or_reply(update, t("fees.set.ask", lang), None)
        return FEE_LINE
    if isinstance(press, FeePaid):
        teams = await fees.coach_fees(context.uow, actor=actor)
        team = next((team for team in teams if team.team_id == press.team_id), None)
        if team is None:
            await refuse(update, context, reason="fees: not a team of the presser")
            return IDLE
        await edit_or_reply(update, render.who_paid(team, lang), None, edit=False)
        return IDLE
    assert isinstance(press, PackBuy)
    invoice = await purchase.pack_invoice(
        context.uow,
        actor=actor,
        offer_id=press.offer_id,
        athlete_id=press.athlete_id,
        config=context.services.payments,
    )
    await update.callback_query.answer()
    await send_invoice(context.bot, update.effective_chat.id, invoice, lang)
    return IDLE


async def got_pack(update: Update, context: BotContext, actor: Actor, text: str) -> int:
    """A typed pack: put on sale, then the coach's packs."""
    offer = await offers.define_pack(context.uow, actor=actor, line=text, now=datetime.now(UTC))
    defined = t("packs.defined", context.lang, line=render.offer_line(offer, context.lang))
    screen, markup = await _packs_screen(context, actor)
    await update.effective_message.reply_text(f"{defined}\n\n{screen}", reply_markup=markup)
    return IDLE


async def got_fee(update: Update, context: BotContext, actor: Actor, text: str) -> int:
    """A typed fee for the team chosen: set, then the coach's teams and fees."""
    team = context.user_data.get(TEAM)
    if not isinstance(team, str):
        return END
    terms = await fees.set_fee(
        context.uow, actor=actor, team_id=uuid.UUID(team), line=text, now=datetime.now(UTC)
    )
    context.user_data.pop(TEAM, None)
    lang = context.lang
    set_text = t(
        "fees.set.done",
        lang,
        price=money(terms.price, terms.currency, lang),
        period=t(f"fees.period.{terms.period}", lang),
    )
    screen, markup = render.coach_fees(await fees.coach_fees(context.uow, actor=actor), lang)
    await update.effective_message.reply_text(f"{set_text}\n\n{screen}", reply_markup=markup)
    return IDLE


def _typed(state: int, step: Typed) -> Callable[[Update, BotContext], Awaitable[int]]:
    """A typed answer at `state`: taken by `step`, or the reason it is refused (same state)."""

    async def answer(update: Update, context: BotContext) -> int:
        actor = context.actor
        if actor is None:
            return END
        try:
            return await step(update, context, actor, update.effective_message.text.strip())
        except DomainError as err:
            log.info("packs answer refused for %s: %s", actor.user_id, err.message_key)
            await update.effective_message.reply_text(refusal_text(err, context))
            return state

    return answer

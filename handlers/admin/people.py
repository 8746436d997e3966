"""/user and /admins: find a person, their card, and the card's actions (suspend with a
reason, unsuspend, reset a stuck conversation, make or remove an admin)."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext, set_chat_menu
from bot.callbacks import refuse
from bot.i18n import t
from bot.sending import send_text
from domain.admin import admins
from domain.admin import people as admin_people
from domain.errors import DomainError, InvalidInput, NotAllowed, NotFound
from domain.models import Role
from domain.policy import Actor
from handlers.admin import render
from handlers.admin.callbacks import PersonAction, PersonPress
from handlers.shared.acting import refusal_text
from handlers.shared.common import cancel_fallback, unknown_command

log = logging.getLogger(__name__)
REASON = 0
END = ConversationHandler.END
SUSPENDING = "admin_suspending"  # user_data: whose suspension waits for its reason
ROLE_COMMANDS = {
    "admin": [("user", "admin.command.user"), ("admins", "admin.command.admins")],
}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
_CARD_ACTIONS = frozenset(set(PersonAction) - {PersonAction.SUSPEND})


def register(application: BotApplication) -> None:
    """Add /user, /admins, the card's buttons and the suspension's reason."""
    application.add_handler(CommandHandler("user", find_person, filters=_PRIVATE))
    application.add_handler(CommandHandler("admins", list_admins, filters=_PRIVATE))
    application.add_handler(
        ConversationHandler(
            entry_points=[
                CallbackQueryHandler(ask_reason, pattern=_press_pattern(PersonAction.SUSPEND))
            ],
            states={
                REASON: [
                    MessageHandler(_PRIVATE & f.TEXT & ~f.COMMAND, suspend),
                    MessageHandler(_PRIVATE & ~f.COMMAND, reason_hint),
                ]
            },
            fallbacks=[cancel_fallback()],
            name="admin_suspend",
            persistent=True,
            allow_reentry=True,
        )
    )
    application.add_handler(CallbackQueryHandler(person_press, pattern=PersonPress.pattern()))


def _press_pattern(action: PersonAction) -> str:
    return rf"^{PersonPress.prefix}:{action.value}:"


async def find_person(update: Update, context: BotContext) -> None:
    """/user <name | @username | phone | id>: their card, or the nearest matches."""
    actor, message = context.actor, update.effective_message
    query = " ".join(context.args or [])
    try:
        if actor is None:
            raise NotAllowed("not signed up")
        found = await admin_people.find(
            context.uow, admin=actor, query=query, box=context.services.secrets
        )
    except NotAllowed:
        await unknown_command(update, context)  # invisible to anyone but admins
        return
    except NotFound:
        await message.reply_text(t("admin.user.usage", context.lang))
        return
    if found.card is not None:
        await _send_card(update, context, found.card)
        return
    text, buttons = render.matches(found.matches, query, found.nearest, context.lang)
    log.info("/user %r: %d matches (nearest: %s)", query[:40], len(found.matches), found.nearest)
    await message.reply_text(text, reply_markup=buttons)


async def list_admins(update: Update, context: BotContext) -> None:
    """/admins: who the admins are."""
    actor = context.actor
    try:
        if actor is None:
            raise NotAllowed("not signed up")
        lines = await admins.list_admins(context.uow, admin=actor)
    except NotAllowed:
        await unknown_command(update, context)
        return
    await send_text(
        context.bot,
        update.effective_chat.id,
        render.admins_text(lines, context.lang, context.timezone),
    )


async def person_press(update: Update, context: BotContext) -> None:
    """A button on a card or a match: open the card, unsuspend, reset, make or remove admin."""
    press, actor = PersonPress.parse(update.callback_query.data), context.actor
    if press is None or actor is None or press.action not in _CARD_ACTIONS:
        await refuse(update, context, reason="admin person press: malformed or unknown presser")
        return
    try:
        card, note = await _act(context, actor, press)
    except (NotAllowed, NotFound) as err:
        await refuse(update, context, reason=f"admin person press: {type(err).__name__}")
        return
    except DomainError as err:  # e.g. the last admin, or already suspended
        await update.callback_query.answer(refusal_text(err, context), show_alert=True)
        return
    await update.callback_query.answer(note)
    await _show_card(update, context, card)


async def _act(
    context: BotContext, actor: Actor, press: PersonPress
) -> tuple[admin_people.PersonCard, str | None]:
    uow, lang, user_id = context.uow, context.lang, press.user_id
    if press.action == PersonAction.UNSUSPEND:
        changed = await admin_people.unsuspend(
            uow, admin=actor, user_id=user_id, now=datetime.now(UTC)
        )
        return changed.card, t("admin.unsuspended", lang, name=changed.card.name)
    if press.action == PersonAction.RESET:
        card = await admin_people.card(uow, admin=actor, user_id=user_id)
        ended = 0
        if card.telegram_user_id is not None:
            ended = await context.application.end_conversations_of(card.telegram_user_id)
        card = await admin_people.record_reset(uow, admin=actor, user_id=user_id)
        log.info("admin %s reset %d conversation(s) of user %s", actor.user_id, ended, user_id)
        return card, t("admin.reset_done", lang, count=ended)
    if press.action in (PersonAction.PROMOTE, PersonAction.DEMOTE):
        change = await (admins.promote if press.action == PersonAction.PROMOTE else admins.demote)(
            uow, admin=actor, user_id=user_id
        )
        if change.chat_id is not None:  # their command menu follows their rights
            role = (
                Role.ADMIN
                if change.is_admin
                else (None if change.role == Role.ADMIN else change.role)
            )
            await set_chat_menu(context.application, change.chat_id, role, change.language)
        key = "admin.promoted" if change.is_admin else "admin.demoted"
        return await admin_people.card(uow, admin=actor, user_id=user_id), t(
            key, lang, name=change.name
        )
    return await admin_people.card(uow, admin=actor, user_id=user_id), None


async def ask_reason(update: Update, context: BotContext) -> int:
    """Suspend, first press: ask why (the person will read it)."""
    press, actor = PersonPress.parse(update.callback_query.data), context.actor
    if press is None or actor is None:
        await refuse(update, context, reason="suspend: malformed or unknown presser")
        return END
    try:
        card = await admin_people.card(context.uow, admin=actor, user_id=press.user_id)
    except (NotAllowed, NotFound) as err:
        await refuse(update, context, reason=f"suspend: {type(err).__name__}")
        return END
    context.user_data[SUSPENDING] = str(press.user_id)
    await update.callback_query.answer()
    await send_text(
        context.bot,
        update.effective_chat.id,
        t("admin.ask_suspend_reason", context.lang, name=card.name),
    )
    return REASON


async def suspend(update: Update, context: BotContext) -> int:
    """Suspend, the reason: the person is told, their future sessions are cancelled."""
    actor, whom = context.actor, context.user_data.get(SUSPENDING)
    message = update.effective_message
    try:
        if actor is None or not isinstance(whom, str):
            raise NotAllowed("no suspension under way")
        changed = await admin_people.suspend(
            context.uow,
            admin=actor,
            user_id=uuid.UUID(whom),
            reason=message.text or "",
            now=datetime.now(UTC),
            slots=context.services.slots,
            refund=context.services.cancellation_refund,
        )
    except InvalidInput as err:
        await message.reply_text(refusal_text(err, context))
        if isinstance(err, admin_people.BadReason):
            return REASON
        context.user_data.pop(SUSPENDING, None)
        return END
    except DomainError as err:
        log.warning("suspension refused: %r", err)
        await message.reply_text(refusal_text(err, context))
        context.user_data.pop(SUSPENDING, None)
        return END
    context.user_data.pop(SUSPENDING, None)
    done = t(
        "admin.suspended", context.lang, name=changed.card.name, sessions=changed.sessions_cancelled
    )
    await message.reply_text(done)
    await _send_card(update, context, changed.card)
    return END


async def reason_hint(update: Update, context: BotContext) -> int:
    """A sticker or photo instead of the reason."""
    await update.effective_message.reply_text(t("admin.reason_text_expected", context.lang))
    return REASON


async def _send_card(update: Update, context: BotContext, card: admin_people.PersonCard) -> None:
    text = render.card_text(card, context.lang, context.timezone)
    await send_text(
        context.bot,
        update.effective_chat.id,
        text,
        reply_markup=render.card_buttons(card, context.lang),
    )


async def _show_card(update: Update, context: BotContext, card: admin_people.PersonCard) -> None:
    """The card in place of the message pressed (a match list or an older card)."""
    text = render.card_text(card, context.lang, context.timezone)
    try:
        await update.callback_query.edit_message_text(
            text, reply_markup=render.card_buttons(card, context.lang)
        )
    except TelegramError as err:  # unchanged, or too old to edit: send it anew
        log.debug("card not edited in place: %r", err)
        await _send_card(update, context, card)

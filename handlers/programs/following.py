"""/training: the family's running programs, with pause and resume, the delivery time, the
guardians' copy, and ending one (a paid one refunded by the policy in the README)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from telegram import InlineKeyboardMarkup, Update
from telegram.ext import CallbackQueryHandler, CommandHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from bot.i18n.formats import money
from bot.sending import send_text
from domain.errors import DomainError
from domain.programs.following import enrolments
from handlers.programs import following_render as render
from handlers.programs.following_callbacks import FollowAction, FollowPress
from handlers.shared.acting import refusal_text
from handlers.shared.edit_in_place import edit_or_reply

log = logging.getLogger(__name__)
ROLE_COMMANDS = {
    role: [("training", "training.command.training")] for role in ("athlete", "parent")
}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE


def register(application: BotApplication) -> None:
    """Add /training and its buttons."""
    application.add_handler(CommandHandler("training", show, filters=_PRIVATE))
    application.add_handler(CallbackQueryHandler(change, pattern=FollowPress.pattern()))


async def _list(context: BotContext) -> tuple[str, InlineKeyboardMarkup]:
    assert context.actor is not None
    items, names = await enrolments.family_list(context.uow, actor=context.actor)
    return render.training_list(items, names, context.lang)


async def show(update: Update, context: BotContext) -> None:
    """/training: the running programs of the person and their children."""
    if context.actor is None:
        await send_text(
            context.bot, update.effective_chat.id, t("training.not_signed_up", context.lang)
        )
        return
    text, markup = await _list(context)
    await send_text(context.bot, update.effective_chat.id, text, reply_markup=markup)


async def change(update: Update, context: BotContext) -> None:
    """A /training button: pause, resume, a time, the guardians' copy, end (asked first)."""
    press = FollowPress.parse(update.callback_query.data)
    if press is None or context.actor is None:
        await refuse(update, context, reason="training: malformed")
        return
    actor, uow, now = context.actor, context.uow, datetime.now(UTC)
    action = press.action
    try:
        if action in (FollowAction.PAUSE, FollowAction.RESUME):
            paused = action == FollowAction.PAUSE
            await enrolments.set_paused(
                uow, actor=actor, enrolment_id=press.enrolment_id, paused=paused, now=now
            )
        elif action == FollowAction.TIME:
            at = render.parse_time(press.value)
            if at is None:
                await refuse(update, context, reason="training: bad time")
                return
            await enrolments.set_delivery(uow, actor=actor, enrolment_id=press.enrolment_id, at=at)
        elif action in (FollowAction.COPY_ON, FollowAction.COPY_OFF):
            copy = action == FollowAction.COPY_ON
            await enrolments.set_delivery(
                uow, actor=actor, enrolment_id=press.enrolment_id, guardians_copy=copy
            )
        elif action == FollowAction.END:
            items, _names = await enrolments.family_list(uow, actor=actor)
            paid = any(i.paid for i in items if i.enrolment_id == press.enrolment_id)
            text, markup = render.end_question(press.enrolment_id, paid, context.lang)
            await edit_or_reply(update, text, markup)
            return
        else:
            ended = await enrolments.end(uow, actor=actor, enrolment_id=press.enrolment_id, now=now)
            text = t("training.end.done", context.lang, program=ended.program_title)
            if ended.refund is not None and ended.amount is not None:
                amount = money(ended.amount["amount"], ended.amount["currency"], context.lang)
                text += "\n" + t(f"payment.returned.{ended.refund}", context.lang, amount=amount)
            await edit_or_reply(update, text, None)
            return
    except DomainError as err:
        log.info("training change refused: %s", err.message_key)
        await update.callback_query.answer(refusal_text(err, context), show_alert=True)
        return
    text, markup = await _list(context)
    await edit_or_reply(update, text, markup)

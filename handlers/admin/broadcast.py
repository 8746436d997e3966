"""/broadcast: pick an audience, type the message, see it as recipients will, confirm; then a
progress message edited as the outbox sends it (sent, blocked, failed, time left) with Cancel.

For anyone but an admin the command does not exist, and its buttons are refused and audited.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy.exc import SQLAlchemyError
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import BadRequest
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.callbacks import refuse
from bot.i18n import t
from bot.sending import send_text
from domain.admin import broadcasts
from domain.admin.broadcasts import Audience, Draft, Progress
from domain.errors import DomainError, InvalidInput, NotAllowed, NotFound
from domain.models import BroadcastAudience, BroadcastStatus
from handlers.admin.callbacks import (
    BroadcastAction,
    BroadcastCoach,
    BroadcastPress,
    BroadcastTarget,
    BroadcastTeam,
    BroadcastTo,
)
from handlers.shared.acting import refusal_text
from handlers.shared.common import cancel_fallback, unknown_command

log = logging.getLogger(__name__)
AUDIENCE, MESSAGE = range(2)
END = ConversationHandler.END
AUDIENCE_KEY = "broadcast_audience"  # user_data: [kind, value] while the message is typed
ROLE_COMMANDS = {"admin": [("broadcast", "admin.command.broadcast")]}
_PRIVATE = f.ChatType.PRIVATE & f.UpdateType.MESSAGE
# A progress message is edited this often: live, yet far inside Telegram's limits.
PROGRESS_EVERY = timedelta(seconds=5)
# Telegram's callback data holds 64 bytes: a longer sport (or one with ':') gets no button.
_SPORT_BYTES = 40


def register(application: BotApplication) -> None:
    """Add /broadcast's conversation and the Confirm and Cancel buttons."""
    application.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("broadcast", start, filters=_PRIVATE)],
            states={
                AUDIENCE: [
                    CallbackQueryHandler(pick_audience, pattern=BroadcastTo.pattern()),
                    CallbackQueryHandler(pick_coach, pattern=BroadcastCoach.pattern()),
                    CallbackQueryHandler(pick_team, pattern=BroadcastTeam.pattern()),
                ],
                MESSAGE: [
                    MessageHandler(_PRIVATE & f.TEXT & ~f.COMMAND, write),
                    MessageHandler(_PRIVATE & ~f.COMMAND, text_expected),
                ],
            },
            fallbacks=[cancel_fallback()],
            name="admin_broadcast",
            persistent=True,
            allow_reentry=True,
        )
    )
    application.add_handler(CallbackQueryHandler(press, pattern=BroadcastPress.pattern()))
    if application.job_queue is not None:
        application.job_queue.run_repeating(
            update_progress, interval=PROGRESS_EVERY, first=PROGRESS_EVERY, name="broadcasts"
        )


async def start(update: Update, context: BotContext) -> int:
    """/broadcast: who to send to."""
    if context.actor is None or not context.actor.is_admin:
        await unknown_command(update, context)  # invisible to anyone but admins
        return END
    context.user_data.pop(AUDIENCE_KEY, None)
    await update.effective_message.reply_text(
        t("broadcast.ask_audience", context.lang), reply_markup=_audiences(context.lang)
    )
    return AUDIENCE


def _audiences(lang: str | None) -> InlineKeyboardMarkup:
    def button(key: str, target: BroadcastTarget, value: str | None = None) -> InlineKeyboardButton:
        return InlineKeyboardButton(t(key, lang), callback_data=BroadcastTo(target, value).pack())

    roles = [
        button(f"broadcast.audience.role.{role}", BroadcastTarget.ROLE, role)
        for role in broadcasts.ROLES
    ]
    return InlineKeyboardMarkup(
        [
            [button("broadcast.audience.everyone", BroadcastTarget.EVERYONE)],
            roles[:3],
            roles[3:],
            [button("broadcast.audience.sports", BroadcastTarget.SPORTS)],
            [button("broadcast.audience.coaches", BroadcastTarget.COACHES)],
            [button("broadcast.audience.teams", BroadcastTarget.TEAMS)],
        ]
    )


async def pick_audience(update: Update, context: BotContext) -> int:
    """Everyone or a role: type the message; a sport or coach list: pick from it."""
    query, actor = update.callback_query, context.actor
    choice = BroadcastTo.parse(query.data)
    if choice is None or actor is None:
        await refuse(update, context, reason="broadcast audience: malformed or unknown presser")
        return AUDIENCE
    try:
        if choice.target in (
            BroadcastTarget.SPORTS,
            BroadcastTarget.COACHES,
            BroadcastTarget.TEAMS,
        ):
            found = await broadcasts.choices(context.uow, admin=actor)
            await query.answer()
            await query.edit_message_reply_markup(_choice_list(choice.target, found))
            return AUDIENCE
    except NotAllowed:
        await refuse(update, context, reason="broadcast audience: not an admin")
        return END
    kind = {
        BroadcastTarget.EVERYONE: BroadcastAudience.EVERYONE,
        BroadcastTarget.ROLE: BroadcastAudience.ROLE,
        BroadcastTarget.SPORT: BroadcastAudience.SPORT,
    }[choice.target]
    return await _ask_message(update, context, Audience(kind, choice.value), choice.value)


async def pick_coach(update: Update, context: BotContext) -> int:
    """A coach picked: their families are the audience."""
    choice = BroadcastCoach.parse(update.callback_query.data)
    if choice is None or context.actor is None:
        await refuse(update, context, reason="broadcast coach: malformed or unknown presser")
        return AUDIENCE
    audience = Audience(BroadcastAudience.COACH, str(choice.coach_id))
    return await _ask_message(update, context, audience, None)


async def pick_team(update: Update, context: BotContext) -> int:
    """A team picked: its families are the audience."""
    choice = BroadcastTeam.parse(update.callback_query.data)
    if choice is None or context.actor is None:
        await refuse(update, context, reason="broadcast team: malformed or unknown presser")
        return AUDIENCE
    audience = Audience(BroadcastAudience.TEAM, str(choice.team_id))
    return await _ask_message(update, context, audience, None)


def _choice_list(target: BroadcastTarget, found: broadcasts.Choices) -> InlineKeyboardMarkup:
    if target == BroadcastTarget.SPORTS:
        rows = [
            [
                InlineKeyboardButton(
                    sport, callback_data=BroadcastTo(BroadcastTarget.SPORT, sport).pack()
                )
            ]
            for sport in found.sports
            if ":" not in sport and len(sport.encode()) <= _SPORT_BYTES
        ]
    elif target == BroadcastTarget.TEAMS:
        rows = [
            [InlineKeyboardButton(name, callback_data=BroadcastTeam(team_id).pack())]
            for team_id, name in found.teams
        ]
    else:
        rows = [
            [InlineKeyboardButton(name, callback_data=BroadcastCoach(coach_id).pack())]
            for coach_id, name in found.coaches
        ]
    return InlineKeyboardMarkup(rows)


async def _ask_message(
    update: Update, context: BotContext, audience: Audience, shown: str | None
) -> int:
    context.user_data[AUDIENCE_KEY] = [audience.kind.value, audience.value]
    await update.callback_query.answer()
    await update.callback_query.edit_message_text(
        t("broadcast.ask_message", context.lang, limit=broadcasts.MAX_LENGTH)
    )
    return MESSAGE


async def write(update: Update, context: BotContext) -> int:
    """The message: refused when empty or too long; else previewed with Confirm and Cancel."""
    actor, message = context.actor, update.effective_message
    kept = context.user_data.get(AUDIENCE_KEY)
    try:
        if actor is None or not isinstance(kept, list) or len(kept) != 2:
            raise NotAllowed("no broadcast under way")
        audience = Audience(BroadcastAudience(kept[0]), kept[1])
        draft = await broadcasts.draft(
            context.uow, admin=actor, audience=audience, message=message.text or ""
        )
    except InvalidInput as err:
        log.info("broadcast refused: %r", err)
        await message.reply_text(refusal_text(err, context))
        return MESSAGE
    except (NotAllowed, NotFound, ValueError) as err:
        log.warning("broadcast draft refused: %r", err)
        await message.reply_text(t("broadcast.error.audience", context.lang))
        context.user_data.pop(AUDIENCE_KEY, None)
        return END
    context.user_data.pop(AUDIENCE_KEY, None)
    await _preview(update, context, draft)
    return END


async def _preview(update: Update, context: BotContext, draft: Draft) -> None:
    chat_id, lang = update.effective_chat.id, context.lang
    await send_text(context.bot, chat_id, t("broadcast.preview_heading", lang))
    await send_text(context.bot, chat_id, draft.message)  # exactly as recipients will see it
    buttons = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    t("broadcast.button.confirm", lang, count=draft.reachable),
                    callback_data=BroadcastPress(
                        BroadcastAction.CONFIRM, draft.broadcast_id
                    ).pack(),
                ),
                InlineKeyboardButton(
                    t("broadcast.button.cancel", lang),
                    callback_data=BroadcastPress(BroadcastAction.CANCEL, draft.broadcast_id).pack(),
                ),
            ]
        ]
    )
    summary = t(
        "broadcast.summary",
        lang,
        audience=_audience_words(draft.audience, draft.audience_name, lang),
        count=draft.reachable,
        blocked=draft.blocked,
    )
    await send_text(context.bot, chat_id, summary, reply_markup=buttons)


def _audience_words(audience: Audience, name: str | None, lang: str | None) -> str:
    if audience.kind == BroadcastAudience.ROLE:
        return t(f"broadcast.audience.role.{audience.value}", lang)
    if audience.kind == BroadcastAudience.SPORT:
        return t("broadcast.to.sport", lang, sport=audience.value)
    if audience.kind == BroadcastAudience.COACH:
        return t("broadcast.to.coach", lang, coach=name)
    if audience.kind == BroadcastAudience.TEAM:
        return t("broadcast.to.team", lang, team=name)
    return t("broadcast.audience.everyone", lang)


async def text_expected(update: Update, context: BotContext) -> int:
    """A photo or sticker instead of the message."""
    log.info("broadcast: a non-text message where the text was expected")
    await update.effective_message.reply_text(t("broadcast.error.text_expected", context.lang))
    return MESSAGE


async def press(update: Update, context: BotContext) -> None:
    """Confirm (queue it; this message becomes its progress) or Cancel."""
    query, actor = update.callback_query, context.actor
    choice = BroadcastPress.parse(query.data)
    if choice is None or actor is None:
        await refuse(update, context, reason="broadcast press: malformed or unknown presser")
        return
    now = datetime.now(UTC)
    try:
        if choice.action == BroadcastAction.CONFIRM:
            progress = await broadcasts.confirm(
                context.uow,
                admin=actor,
                broadcast_id=choice.broadcast_id,
                chat_id=update.effective_chat.id,
                message_id=query.message.message_id,
                now=now,
            )
        else:
            progress = await broadcasts.cancel(
                context.uow, admin=actor, broadcast_id=choice.broadcast_id, now=now
            )
    except (NotAllowed, NotFound) as err:
        await refuse(update, context, reason=f"broadcast press: {type(err).__name__}")
        return
    except DomainError as err:  # confirmed twice, or after a cancel
        await query.answer(refusal_text(err, context), show_alert=True)
        return
    await query.answer()
    text, keyboard = progress_message(progress, context.lang)
    await query.edit_message_text(text, reply_markup=keyboard)


def progress_message(
    progress: Progress, lang: str | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The progress message's words, with Cancel while it is sending."""
    text = t(
        f"broadcast.progress.{progress.status.value}",
        lang,
        sent=progress.sent,
        blocked=progress.blocked,
        failed=progress.failed,
        pending=progress.pending,
        minutes=progress.seconds_left // 60,
        seconds=progress.seconds_left % 60,
    )
    if progress.status != BroadcastStatus.SENDING:
        return text, None
    cancel = BroadcastPress(BroadcastAction.CANCEL, progress.broadcast_id).pack()
    button = InlineKeyboardButton(t("broadcast.button.stop", lang), callback_data=cancel)
    return text, InlineKeyboardMarkup([[button]])


async def show_progress(bot: Bot, progress: Progress) -> None:
    """Edit a broadcast's progress message in place, in the admin's language."""
    if progress.chat_id is None or progress.message_id is None:
        return
    text, keyboard = progress_message(progress, progress.language)
    try:
        await bot.edit_message_text(
            text, chat_id=progress.chat_id, message_id=progress.message_id, reply_markup=keyboard
        )
    except BadRequest as err:  # not modified, or deleted by the admin
        log.debug("broadcast progress not edited: %r", err)


async def update_progress(context: BotContext, now: datetime | None = None) -> None:
    """Job: edit each sending broadcast's progress message; mark done those with nothing left.

    The counts come from the outbox's rows, so after a restart it goes on from what they say.
    """
    try:
        progresses = await broadcasts.advance(context.services.uow, now=now or datetime.now(UTC))
    # asyncpg's connection errors (Postgres down) are OSErrors SQLAlchemy does not wrap.
    except (SQLAlchemyError, OSError):
        log.exception("could not count broadcast progress")
        return
    for progress in progresses:
        await show_progress(context.bot, progress)

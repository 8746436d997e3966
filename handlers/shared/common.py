"""What every user can do anywhere: /start, /help, /cancel, and replies to the unexpected.

Everything here is registered as a fallback: a feature module that handles /start, /cancel or
a message in a flow wins over these, whatever the order modules are registered in.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler, ConversationHandler, MessageHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.i18n import t
from domain.models import Role
from domain.policy import Actor

COMMANDS = [
    ("start", "command.start"),
    ("help", "command.help"),
    ("cancel", "command.cancel"),
]

# New messages only: an edited "/start" should not greet again. Private chats only: in a group
# the bot must not comment on messages that were never meant for it.
_PRIVATE_MESSAGE = f.UpdateType.MESSAGE & f.ChatType.PRIVATE


def register(application: BotApplication) -> None:
    """Add the commands everyone has and the replies for anything no flow took."""
    for handler in (
        CommandHandler("start", start, filters=f.UpdateType.MESSAGE),
        CommandHandler("help", show_help, filters=f.UpdateType.MESSAGE),
        CommandHandler("cancel", nothing_to_cancel, filters=f.UpdateType.MESSAGE),
        MessageHandler(_PRIVATE_MESSAGE & f.COMMAND, unknown_command),
        MessageHandler(_PRIVATE_MESSAGE, unexpected_message),
        CallbackQueryHandler(stale_button),
    ):
        application.add_fallback_handler(handler)


def cancel_fallback() -> CommandHandler[BotContext, int]:
    """The /cancel every conversation lists among its fallbacks."""
    return CommandHandler("cancel", cancel_conversation)


async def start(update: Update, context: BotContext) -> None:
    """Greet the user and point them to /help."""
    user = update.effective_user
    name = user.first_name if user is not None else ""
    await _reply(update, t("common.start", context.lang, name=name))


async def show_help(update: Update, context: BotContext) -> None:
    """List the commands this user has: everyone's, then their role's."""
    actor = context.actor
    role = menu_role(actor)
    lines = [
        t("common.help_line", context.lang, command=command, description=t(key, context.lang))
        for command, key in context.application.menus.for_role(role)
    ]
    await _reply(update, t("common.help", context.lang, commands="\n".join(lines)))


def menu_role(actor: Actor | None) -> str | None:
    """Whose menu a person sees: an admin's (a row of `admins`), else their role's."""
    if actor is None:
        return None
    if actor.is_admin:
        return Role.ADMIN
    # The role a seeded admin signed up with means nothing once they are no longer one.
    return None if actor.role == Role.ADMIN else actor.role


async def cancel_conversation(update: Update, context: BotContext) -> int:
    """End the conversation /cancel was sent in."""
    await _reply(update, t("common.cancelled", context.lang))
    return ConversationHandler.END


async def nothing_to_cancel(update: Update, context: BotContext) -> None:
    """Answer /cancel outside any flow (inside one, the flow's own fallback takes it)."""
    await _reply(update, t("common.nothing_to_cancel", context.lang))


async def unknown_command(update: Update, context: BotContext) -> None:
    """Answer a command nobody handles."""
    text = update.effective_message.text if update.effective_message else None
    command = (text or "/").split(maxsplit=1)[0].split("@", 1)[0]
    await _reply(update, t("common.unknown_command", context.lang, command=command))


async def unexpected_message(update: Update, context: BotContext) -> None:
    """Answer text, a photo or anything else sent outside a flow."""
    await _reply(update, t("common.unexpected_message", context.lang))


async def stale_button(update: Update, context: BotContext) -> None:
    """Answer a button from a finished flow, so its spinner stops."""
    if update.callback_query is not None:
        await update.callback_query.answer(t("common.stale_button", context.lang))


async def _reply(update: Update, text: str) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(text)

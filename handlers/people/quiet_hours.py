"""/quiet: see, set or switch off the quiet hours that hold back reminders that can wait.

`/quiet` shows the window, `/quiet 22:00-07:30` sets it, `/quiet off` switches it off. The rules
(what a window is, which reminders wait) live in `domain.people.quiet_hours` and
`domain.notifications`.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import CommandHandler
from telegram.ext import filters as f

from bot.app import BotApplication, BotContext
from bot.i18n import t
from domain.errors import NotFound
from domain.models import Role
from domain.people import quiet_hours
from domain.people.quiet_hours import InvalidQuietHours, PersonalQuietHours
from handlers.shared.acting import refusal_text

# In the menu of everyone signed up, whatever their role.
ROLE_COMMANDS = {role: [("quiet", "quiet.command")] for role in Role}

log = logging.getLogger(__name__)


def register(application: BotApplication) -> None:
    """Add /quiet."""
    application.add_handler(CommandHandler("quiet", quiet, filters=f.UpdateType.MESSAGE))


async def quiet(update: Update, context: BotContext) -> None:
    """Show the quiet hours, or set them from the command's argument."""
    person = update.effective_user
    if person is None:
        return
    answer = " ".join(context.args or [])
    try:
        if answer:
            mine = await quiet_hours.set_quiet_hours(
                context.uow, telegram_user_id=person.id, answer=answer
            )
        else:
            mine = await quiet_hours.quiet_hours_of(context.uow, telegram_user_id=person.id)
    except NotFound:
        return await _reply(update, t("quiet.not_signed_up", context.lang))
    except InvalidQuietHours as err:
        log.info("unreadable quiet hours: %s", err.message_key)
        return await _reply(update, refusal_text(err, context))
    text = render(mine, context.lang)
    await _reply(update, f"{t('quiet.saved', context.lang)}\n\n{text}" if answer else text)


def render(mine: PersonalQuietHours, lang: str | None) -> str:
    """Someone's quiet hours in their words."""
    window = mine.window
    if window.off:
        return t("quiet.off", lang)
    start, end = f"{window.start:%H:%M}", f"{window.end:%H:%M}"
    return t("quiet.current", lang, start=start, end=end, timezone=mine.timezone)


async def _reply(update: Update, text: str) -> None:
    if update.effective_message is not None:
        await update.effective_message.reply_text(text)

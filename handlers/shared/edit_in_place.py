"""One message edited in place while a flow runs, instead of a trail of messages."""

from __future__ import annotations

from telegram import CallbackQuery, InlineKeyboardMarkup, Update
from telegram.error import BadRequest


async def edit_pressed(
    query: CallbackQuery, text: str, markup: InlineKeyboardMarkup | None
) -> None:
    """Show `text` on the message whose button was pressed."""
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as err:
        # A second press of the same button asks for the text already shown: nothing to do.
        if "not modified" not in str(err):
            raise


async def edit_or_reply(
    update: Update, text: str, markup: InlineKeyboardMarkup | None, *, edit: bool = True
) -> None:
    """Edit the pressed message in place; after typing (or with `edit` off), reply."""
    query = update.callback_query
    if query is not None and edit:
        await query.answer()
        await edit_pressed(query, text, markup)
    elif update.effective_message is not None:
        await update.effective_message.reply_text(text, reply_markup=markup)

"""A person's account is bound to their private chat with the bot, never to a group.

Telegram gives a private chat the id of the person in it (chat.id == from.id); a group or a
channel has an id of its own. A chat id stored for a person is where their session notices,
reminders and invoices go, so one that is not theirs alone would post them to a whole group.
"""

from __future__ import annotations

from domain.errors import NotAllowed


class NotAPrivateChat(NotAllowed):
    """The chat is not the person's private chat with the bot."""

    message_key = "error.private_chat_only"


def require_private_chat(*, telegram_user_id: int, chat_id: int) -> None:
    """Refuse to bind a Telegram account to a chat that is not its private chat with the bot."""
    if chat_id != telegram_user_id:
        raise NotAPrivateChat(f"chat {chat_id} is not the private chat of {telegram_user_id}")

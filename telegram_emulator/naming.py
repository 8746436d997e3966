"""A bot's names: the first_name getMe shows and its @username, under Telegram's rules.

Whoever starts the emulator brands the bot; the emulator itself names no product.
"""

from __future__ import annotations

import re

DEFAULT_BOT_NAME = "Test Bot"
# BotFather's rules: 5-32 characters, Latin letters, digits and underscores, starting with a
# letter and ending in "bot".
_USERNAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{1,28}[Bb][Oo][Tt]$")
MAX_NAME = 64


def checked_name(name: str) -> str:
    """A bot's display name, refused as BotFather would refuse it (empty or over 64 chars)."""
    name = name.strip()
    if not 1 <= len(name) <= MAX_NAME:
        raise ValueError(f"a bot's name has 1 to {MAX_NAME} characters, not {len(name)}")
    return name


def checked_username(username: str) -> str:
    """A bot username without the @, refused unless Telegram would accept it."""
    username = username.removeprefix("@")
    if not _USERNAME.match(username):
        raise ValueError(
            f"bot username {username!r} must have 5-32 Latin letters, digits or underscores, "
            "start with a letter and end in 'bot'"
        )
    return username


def username_for(name: str, bot_id: int) -> str:
    """A unique, valid username derived from the name: "Test Bot" with id 42 -> testbot42_bot."""
    letters = re.sub(r"[^a-z0-9]", "", name.lower()).lstrip("0123456789") or "test"
    return f"{letters[:16]}{bot_id % 10**10}_bot"

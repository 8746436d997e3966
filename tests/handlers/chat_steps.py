"""Steps any chat test may need, whatever the flow."""

from __future__ import annotations

import uuid

from domain.short_ids import short_id
from telegram_emulator.driver import EmulatedUser


async def open_chats(*people: EmulatedUser) -> None:
    """Telegram lets a bot write only to people who have written to it first."""
    for person in people:
        await person.send("/help")
        await person.expect_reply(contains="/help")


def forged_data(*parts: str | int | uuid.UUID) -> str:
    """Callback data as a forger writes it, ids as buttons carry them: no type checks it."""
    return ":".join(short_id(part) if isinstance(part, uuid.UUID) else str(part) for part in parts)

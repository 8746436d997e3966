"""Steps any chat test may need, whatever the flow."""

from __future__ import annotations

from telegram_emulator.driver import EmulatedUser


async def open_chats(*people: EmulatedUser) -> None:
    """Telegram lets a bot write only to people who have written to it first."""
    for person in people:
        await person.send("/help")
        await person.expect_reply(contains="/help")

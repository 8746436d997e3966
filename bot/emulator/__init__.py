"""A Telegram Bot API server emulator with a web chat: product code, used by people and tests."""

from bot.emulator.client import Client, ClientError, PaymentOutcome
from bot.emulator.driver import EmulatedUser, Emulator, new_token
from bot.emulator.errors import ApiError
from bot.emulator.world import World

__all__ = [
    "ApiError",
    "Client",
    "ClientError",
    "EmulatedUser",
    "Emulator",
    "PaymentOutcome",
    "World",
    "new_token",
]

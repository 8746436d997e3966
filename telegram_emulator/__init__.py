"""A Telegram Bot API server emulator with a web chat: product code, used by people and tests."""

from telegram_emulator.client import Client, ClientError, PaymentOutcome
from telegram_emulator.driver import EmulatedUser, Emulator, new_token
from telegram_emulator.errors import ApiError
from telegram_emulator.world import World

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

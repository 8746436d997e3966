"""Bot API methods the emulator implements, each declaring the parameters it reads."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from telegram_emulator.params import Params
from telegram_emulator.world import BotState

Handler = Callable[[BotState, Params], Awaitable[Any]]


@dataclass(frozen=True)
class Method:
    """One Bot API method: its name, the parameters it understands, its implementation."""

    name: str
    params: frozenset[str]
    handler: Handler


METHODS: dict[str, Method] = {}


def api_method(name: str, *params: str) -> Callable[[Handler], Handler]:
    """Register a Bot API method under its Telegram name (case-insensitive, as Telegram)."""

    def register(handler: Handler) -> Handler:
        METHODS[name.lower()] = Method(name, frozenset(params), handler)
        return handler

    return register


def load_all() -> dict[str, Method]:
    """Import every method module so their registrations run."""
    from telegram_emulator.methods import core, media, messages, payments  # noqa: F401

    return METHODS

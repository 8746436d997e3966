"""Booking in chat: /book and /reschedule with the month calendar, /schedule with the buttons
on session cards and notices, a coach's /availability, and /waitlist with its buttons.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import BotApplication

# In this order: within group 0, the first handler that matches an update wins.
FLOWS = ("availability", "book", "sessions", "waitlist")


def flows() -> list[ModuleType]:
    """This capability's flow modules, in the order their handlers are added."""
    return [import_module(f"{__name__}.{name}") for name in FLOWS]


def register(application: BotApplication) -> None:
    """Add this capability's flows and their commands."""
    application.add_flows(flows())

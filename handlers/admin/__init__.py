"""Admins running the service from the chat (issue 18): /admins, /stats, /user and its
actions, /audit, /refunds, /csv and /broadcast. For everyone else these commands do not exist,
and their buttons are refused and audited.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import BotApplication

# In this order: within group 0, the first handler that matches an update wins.
FLOWS = ("people", "money", "broadcast", "overview")


def flows() -> list[ModuleType]:
    """This capability's flow modules, in the order their handlers are added."""
    return [import_module(f"{__name__}.{name}") for name in FLOWS]


def register(application: BotApplication) -> None:
    """Add this capability's flows and their commands."""
    application.add_flows(flows())

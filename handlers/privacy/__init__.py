"""Privacy for everyone (issue 18): /mydata sends a ZIP of one's data, /deleteme asks for
erasure after a 7-day grace that /start withdraws."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import BotApplication

FLOWS = ("data",)


def flows() -> list[ModuleType]:
    """This capability's flow modules, in the order their handlers are added."""
    return [import_module(f"{__name__}.{name}") for name in FLOWS]


def register(application: BotApplication) -> None:
    """Add this capability's flows and their commands."""
    application.add_flows(flows())

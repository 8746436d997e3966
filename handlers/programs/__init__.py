"""Training programs in chat: enrolling (free, paid or assigned by a coach), each day's workout
answered from its message, /training to pause, resume or end, and a coach's /adherence."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import BotApplication

FLOWS = ("enrol", "workout", "following", "adherence")


def flows() -> list[ModuleType]:
    """This capability's flow modules, in the order their handlers are added."""
    return [import_module(f"{__name__}.{name}") for name in FLOWS]


def register(application: BotApplication) -> None:
    """Add this capability's flows and their commands."""
    application.add_flows(flows())

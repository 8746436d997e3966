"""Training programs in chat: coaches write and publish them (/programs), athletes and parents
browse the catalogue and open a program's page."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import BotApplication

# The authoring conversation first: within group 0, a press it does not take falls through.
FLOWS = ("authoring", "catalogue")


def flows() -> list[ModuleType]:
    """This capability's flow modules, in the order their handlers are added."""
    return [import_module(f"{__name__}.{name}") for name in FLOWS]


def register(application: BotApplication) -> None:
    """Add this capability's flows and their commands."""
    application.add_flows(flows())

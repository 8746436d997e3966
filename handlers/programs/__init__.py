"""Training programs in chat: coaches write and publish them (/programs), athletes and parents
browse the catalogue and enrol (free, paid or assigned by a coach), each day's workout is
answered from its message, /training pauses, resumes or ends one, and a coach sees /adherence."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import BotApplication

# The authoring conversation first: within group 0, a press it does not take falls through.
FLOWS = ("authoring", "catalogue", "enrol", "workout", "following", "adherence")


def flows() -> list[ModuleType]:
    """This capability's flow modules, in the order their handlers are added."""
    return [import_module(f"{__name__}.{name}") for name in FLOWS]


def register(application: BotApplication) -> None:
    """Add this capability's flows and their commands."""
    application.add_flows(flows())

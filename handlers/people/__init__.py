"""Signing up and being a person here: the guided profile and each role's menu, /profile,
parents' children and invitations, /quiet, and mentors asking to follow an athlete.
"""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import BotApplication

# In this order: within group 0, the first handler that matches an update wins.
FLOWS = ("profile_photo", "family", "onboarding", "profile", "quiet_hours", "mentors")


def flows() -> list[ModuleType]:
    """This capability's flow modules, in the order their handlers are added."""
    return [import_module(f"{__name__}.{name}") for name in FLOWS]


def register(application: BotApplication) -> None:
    """Add this capability's flows and their commands."""
    application.add_flows(flows())

"""Nutrition plans in chat (issue 17): /nutrition writes a plan for oneself (from 16), a child or
an athlete one coaches, meal by meal against daily targets and restrictions, publishes it, prints
a week with its shopping list, and a coach's templates are applied scaled by body weight. Each
day's plan arrives at breakfast with check-in buttons; the week's adherence follows on Monday."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import BotApplication

FLOWS = ("plans", "checkins")


def flows() -> list[ModuleType]:
    """This capability's flow modules, in the order their handlers are added."""
    return [import_module(f"{__name__}.{name}") for name in FLOWS]


def register(application: BotApplication) -> None:
    """Add this capability's flows and their commands."""
    application.add_flows(flows())

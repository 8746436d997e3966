"""Clubs and teams in chat: a coach's /teams (create, roster, invite links, the linked group,
messages to the team), joining a team by its deep link, and the families' answers; /packs and
/fees, and paying for a pack or a team fee."""

from __future__ import annotations

from importlib import import_module
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.app import BotApplication

FLOWS = ("teams", "team_join", "team_groups", "team_replies", "series", "packs", "pack_payments")


def flows() -> list[ModuleType]:
    """This capability's flow modules, in the order their handlers are added."""
    return [import_module(f"{__name__}.{name}") for name in FLOWS]


def register(application: BotApplication) -> None:
    """Add this capability's flows and their commands."""
    application.add_flows(flows())

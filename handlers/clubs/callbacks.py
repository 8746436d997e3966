"""Callback data of teams (`handlers.shared.callback_data`).

- /teams and a team's page: `tm:home`, `tm:new`, `tm:t:<action>:<team>` (open, roster, links,
  group, unlink, message), `tm:m:<action>:<team>:<athlete>` (a coach removes, a family leaves).
- Creating a team: `tm:n:<action>[:<value>]` (an age group, the suggested season, an admin's
  head coach, cancel).
- A team message's destination: `tm:w:<where>` (families, group, both, cancel).
- A family link: `tmj:<code>:<athlete>` (join); the link's code, never the team's id, so a
  forged press reaches no team whose link the presser never had.
- Under a team message: `tms:<message>` (👍 Seen), `tmr:<message>` (reply to the coach).
Every press is checked again by the domain: who may touch what it names.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum
from typing import Literal

from handlers.shared.callback_data import CallbackData

TEAMS_FLOW = "tm"


@dataclass(frozen=True)
class TeamsHome(CallbackData, prefix="tm:home"):
    """← Teams: the list of one's teams."""


@dataclass(frozen=True)
class TeamNew(CallbackData, prefix="tm:new"):
    """➕ New team."""


class TeamAction(StrEnum):
    """A button on a team's page."""

    OPEN = "o"
    ROSTER = "r"
    LINKS = "l"
    GROUP = "g"
    UNLINK = "u"
    MESSAGE = "m"


@dataclass(frozen=True)
class TeamPress(CallbackData, prefix="tm:t"):
    """A team's page and its buttons."""

    action: TeamAction
    team_id: uuid.UUID


class MemberAction(StrEnum):
    """Taking an athlete off a team: by its coach, or from the family's side."""

    REMOVE = "x"
    LEAVE = "l"


@dataclass(frozen=True)
class MemberPress(CallbackData, prefix="tm:m"):
    """➖ next to an athlete on a roster or on a family's team page."""

    action: MemberAction
    team_id: uuid.UUID
    athlete_id: uuid.UUID


class NewAction(StrEnum):
    """A button while creating a team."""

    AGE = "a"
    SEASON = "s"
    CANCEL = "c"
    COACH = "o"  # an admin's pick of the head coach (a short id)


@dataclass(frozen=True)
class NewTeamPress(CallbackData, prefix="tm:n"):
    """An age group (its label as value), the suggested season, an admin's head coach (its
    short id as value), or cancel."""

    action: NewAction
    value: str | None = None


@dataclass(frozen=True)
class MessageWhere(CallbackData, prefix="tm:w"):
    """Where a team message goes."""

    where: Literal["families", "group", "both", "cancel"]


@dataclass(frozen=True)
class JoinPress(CallbackData, prefix="tmj"):
    """Join this athlete to the team the family link names."""

    code: str
    athlete_id: uuid.UUID


@dataclass(frozen=True)
class TeamSeen(CallbackData, prefix="tms"):
    """👍 Seen, under a team message."""

    message_id: uuid.UUID


@dataclass(frozen=True)
class TeamReply(CallbackData, prefix="tmr"):
    """↩️ Reply to the coach, under a team message."""

    message_id: uuid.UUID

"""The admin capability's buttons (`handlers.shared.callback_data`), all under `adm:`; any
other `adm:` press is forged or stale and refused (`handlers.admin.overview`)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from enum import StrEnum

from handlers.shared.callback_data import CallbackData

FLOW = "adm"


class PersonAction(StrEnum):
    """What a button on a person's card does."""

    OPEN = "open"
    SUSPEND = "susp"
    UNSUSPEND = "unsusp"
    RESET = "reset"
    PROMOTE = "prom"
    DEMOTE = "dem"


@dataclass(frozen=True)
class PersonPress(CallbackData, prefix="adm:user"):
    """A person's card, or an action on it."""

    action: PersonAction
    user_id: uuid.UUID


@dataclass(frozen=True)
class AuditTurn(CallbackData, prefix="adm:audit"):
    """Another page of the /audit the admin asked for (its filter is kept in user_data)."""

    page: int


@dataclass(frozen=True)
class RefundPress(CallbackData, prefix="adm:refund"):
    """Mark this refund due as done; the provider's reference is typed next."""

    payment_id: uuid.UUID


class BroadcastTarget(StrEnum):
    """An audience button of /broadcast: everyone, a role, or a list to pick a sport or coach."""

    EVERYONE = "all"
    ROLE = "role"
    SPORTS = "sports"
    SPORT = "sport"
    COACHES = "coaches"
    TEAMS = "teams"


@dataclass(frozen=True)
class BroadcastTo(CallbackData, prefix="adm:bcto"):
    """Who a broadcast goes to (the role or sport in `value`), or a list to pick from."""

    target: BroadcastTarget
    value: str | None = None


@dataclass(frozen=True)
class BroadcastCoach(CallbackData, prefix="adm:bccoach"):
    """A broadcast to the families of this coach."""

    coach_id: uuid.UUID


@dataclass(frozen=True)
class BroadcastTeam(CallbackData, prefix="adm:bcteam"):
    """A broadcast to the families of this team."""

    team_id: uuid.UUID


class BroadcastAction(StrEnum):
    """Confirm a previewed broadcast, or cancel it (a draft, or one sending)."""

    CONFIRM = "ok"
    CANCEL = "stop"


@dataclass(frozen=True)
class BroadcastPress(CallbackData, prefix="adm:bc"):
    """Confirm or cancel this broadcast."""

    action: BroadcastAction
    broadcast_id: uuid.UUID

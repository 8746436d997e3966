"""Callback data of packs and fees (`handlers.shared.callback_data`).

- /packs: `pk:new` (a coach's new pack), `pk:wd:<offer>` (withdraw it), `pk:buy:<offer>:<athlete>`
  (a family buys a pack for one of theirs).
- /fees: `pk:fs:<team>` (set the team's fee), `pk:fp:<team>` (who has paid).
- Under a fee request or reminder: `tfp:<due>` (💳 Pay).
Every press is checked again by the domain: who may touch what it names.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from handlers.shared.callback_data import CallbackData

PACKS_FLOW = "pk"


@dataclass(frozen=True)
class PackNew(CallbackData, prefix="pk:new"):
    """➕ New pack."""


@dataclass(frozen=True)
class PackWithdraw(CallbackData, prefix="pk:wd"):
    """Stop selling a pack."""

    offer_id: uuid.UUID


@dataclass(frozen=True)
class PackBuy(CallbackData, prefix="pk:buy"):
    """Buy this pack for this athlete."""

    offer_id: uuid.UUID
    athlete_id: uuid.UUID


@dataclass(frozen=True)
class FeeSet(CallbackData, prefix="pk:fs"):
    """Set (or change) a team's fee."""

    team_id: uuid.UUID


@dataclass(frozen=True)
class FeePaid(CallbackData, prefix="pk:fp"):
    """Who has paid a team's fee."""

    team_id: uuid.UUID


@dataclass(frozen=True)
class FeePay(CallbackData, prefix="tfp"):
    """💳 Pay, under a team fee's request or reminder."""

    due_id: uuid.UUID

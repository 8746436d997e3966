"""A team's series follow its roster: a member who joins is put into the practices still ahead,
one who leaves is taken out of them (earlier ones, answers and marks stay as they were)."""

from __future__ import annotations

import uuid
from datetime import datetime

from domain.clubs.series import queries
from domain.uow import Transaction


async def member_joined(
    tx: Transaction, team_id: uuid.UUID, athlete_id: uuid.UUID, *, by: uuid.UUID, now: datetime
) -> int:
    """Inside the joining transaction: the new member in every practice ahead; how many."""
    return await queries.join_future_occurrences(tx, team_id, athlete_id, by, now)


async def member_left(
    tx: Transaction, team_id: uuid.UUID, athlete_id: uuid.UUID, *, now: datetime
) -> int:
    """Inside the leaving transaction: the member out of every practice ahead; how many."""
    return await queries.leave_future_occurrences(tx, team_id, athlete_id, now)

"""What /payments shows a family: their payments, each athlete's packs (sessions left, expiry)
and team fees due or paid; only for the athletes the reader may see balances of."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from domain import policy
from domain.clubs.packs import queries
from domain.payments.views import PaymentLine, history_in
from domain.policy import Action, Actor, AthleteTarget
from domain.uow import UnitOfWork


@dataclass(frozen=True)
class PackBalance:
    """One pack bought for an athlete."""

    athlete_name: str
    coach_name: str
    name: str
    sessions_left: int
    sessions_total: int
    expires_at: datetime
    expired: bool


@dataclass(frozen=True)
class FeeLine:
    """One athlete's team fee for one period."""

    due_id: uuid.UUID
    athlete_name: str
    team_name: str
    period: str
    period_start: date
    due_on: date
    amount: object  # a money value ({"amount", "currency"})
    paid: bool


@dataclass(frozen=True)
class FamilyMoney:
    """A family's /payments: what they paid, their packs and their fees."""

    history: list[PaymentLine]
    packs: list[PackBalance]
    fees: list[FeeLine]


async def family_money(uow: UnitOfWork, *, actor: Actor, now: datetime) -> FamilyMoney:
    """The actor's payments, and the packs and fees of the athletes whose balances they see."""
    athletes = sorted(
        athlete_id
        for athlete_id in policy.athletes_actor_may_act_for(actor)
        if policy.may(actor, Action.VIEW_BALANCES, AthleteTarget(athlete_id))
    )
    async with uow as tx:
        history = await history_in(tx, actor.user_id)
        packs = await queries.packs_of(tx, athletes) if athletes else []
        dues = await queries.dues_of_athletes(tx, athletes) if athletes else []
    return FamilyMoney(
        history=history,
        packs=[
            PackBalance(
                athlete_name=athlete,
                coach_name=" ".join(p for p in (first, last) if p),
                name=pack.name,
                sessions_left=pack.sessions_left,
                sessions_total=pack.sessions_total,
                expires_at=pack.expires_at,
                expired=pack.expires_at <= now,
            )
            for pack, athlete, first, last in packs
        ],
        fees=[
            FeeLine(
                due_id=due.id,
                athlete_name=athlete,
                team_name=team,
                period=period,
                period_start=due.period_start,
                due_on=due.due_on,
                amount={"amount": str(due.amount), "currency": due.currency},
                paid=due.payment_id is not None,
            )
            for due, team, period, athlete in dues
        ],
    )

"""Team fees: a coach sets one per season or per month ("season 120 EUR"); the athletes on the
team owe it per period (`team_fee_dues`), their families are asked and reminded through the
outbox until it is paid, and the coach sees who has paid.

A job (`queue_due`, every 10 minutes) opens the dues of the period under way for everyone on
the team now, then queues one request per due and family member on Telegram, and from the due
date (a week after it was opened) one reminder a week while it stays unpaid. Each is queued
under a dedup key naming the due, the person and, for a reminder, its date: no duplicates
however often or by how many replicas it runs. Both wait out the recipient's quiet hours
(`domain.notifications.outbox.DEFERRED_IN_QUIET_HOURS`); a payment drops what is unsent.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from domain import policy
from domain.clubs.packs import queries
from domain.clubs.packs.offers import parse_money
from domain.clubs.teams.teams import live_team, team_target
from domain.errors import InvalidAnswer
from domain.models import FeePeriod, NotificationKind, TeamFee
from domain.policy import Action, Actor
from domain.uow import UnitOfWork

DUE_AFTER_DAYS = 7
# What a coach may type for the period, in each catalogue's language.
PERIOD_WORDS = {
    "season": FeePeriod.SEASON,
    "temporada": FeePeriod.SEASON,
    "month": FeePeriod.MONTH,
    "monthly": FeePeriod.MONTH,
    "mes": FeePeriod.MONTH,
    "mensual": FeePeriod.MONTH,
}


@dataclass(frozen=True)
class FeeTerms:
    """A team fee: per season or per month, at a price."""

    period: FeePeriod
    price: Decimal
    currency: str


@dataclass(frozen=True)
class DueLine:
    """One athlete's fee for one period, and whether it is paid."""

    due_id: uuid.UUID
    athlete_name: str
    period_start: date
    due_on: date
    paid: bool


@dataclass(frozen=True)
class TeamFees:
    """A team's fee (None: not set) and its dues, as the coach sees them."""

    team_id: uuid.UUID
    team_name: str
    fee: FeeTerms | None
    dues: tuple[DueLine, ...] = ()


@dataclass(frozen=True)
class Queued:
    """How many dues a run opened, and requests and reminders it queued."""

    dues: int
    requests: int
    reminders: int


def parse_fee(text: str) -> FeeTerms:
    """ "season 120 EUR" or "month 30 EUR" as the fee's terms; InvalidAnswer naming the fix."""
    word, _, money = text.strip().partition(" ")
    period = PERIOD_WORDS.get(word.lower())
    if period is None:
        raise InvalidAnswer("fees.error.format")
    price, currency = parse_money(money.strip())
    return FeeTerms(period, price, currency)


async def set_fee(
    uow: UnitOfWork, *, actor: Actor, team_id: uuid.UUID, line: str, now: datetime
) -> FeeTerms:
    """Set (or replace) a team's fee; dues already opened stay as they were asked."""
    terms = parse_fee(line)
    async with uow as tx:
        await live_team(tx, team_id, lock=True)
        policy.require(actor, Action.SELL_PACKS_AND_FEES, await team_target(tx, team_id))
        await queries.archive_fee(tx, team_id, now)
        fee = TeamFee(
            id=uuid.uuid4(),
            team_id=team_id,
            period=terms.period,
            price=terms.price,
            currency=terms.currency,
            set_by=actor.user_id,
            created_at=now,
        )
        tx.session.add(fee)
        tx.audit.record(
            actor_id=actor.user_id,
            action="team.fee_set",
            entity="team",
            entity_id=team_id,
            details={"period": terms.period, "price": str(terms.price), "currency": terms.currency},
        )
        await tx.commit()
    return terms


async def coach_fees(uow: UnitOfWork, *, actor: Actor) -> list[TeamFees]:
    """The teams the actor coaches, each with its fee and who has paid it."""
    if actor.coach_id is None:
        return []
    found = []
    async with uow as tx:
        for team_id, name in await queries.team_names(tx, actor.coach_id):
            if not policy.may(actor, Action.SELL_PACKS_AND_FEES, await team_target(tx, team_id)):
                continue
            fee = await queries.live_fee(tx, team_id)
            if fee is None:
                found.append(TeamFees(team_id, name, None))
                continue
            dues = await queries.dues_of_team(tx, fee.id)
            lines = tuple(
                DueLine(d.id, athlete, d.period_start, d.due_on, d.payment_id is not None)
                for d, athlete in dues
            )
            terms = FeeTerms(FeePeriod(fee.period), fee.price, fee.currency)
            found.append(TeamFees(team_id, name, terms, lines))
    return found


async def queue_due(uow: UnitOfWork, *, now: datetime) -> Queued:
    """Open this period's dues, queue their requests and this week's reminders; how many."""
    async with uow as tx:
        dues = await queries.open_dues(tx, now=now, due_days=DUE_AFTER_DAYS)
        requests = await queries.queue_fee_notices(
            tx, now=now, kind=NotificationKind.TEAM_FEE_REQUEST, reminders=False
        )
        reminders = await queries.queue_fee_notices(
            tx, now=now, kind=NotificationKind.TEAM_FEE_REMINDER, reminders=True
        )
        await tx.commit()
    return Queued(dues, requests, reminders)

"""A coach's packs of private lessons: defined in one typed line, listed, withdrawn; and the
packs a family can buy (those of the coaches who train their athletes).

A pack is typed as "name, sessions, price currency, days valid" ("10 lessons, 10, 150 EUR,
90"); whatever does not fit is refused with the reason (`packs.error.*`), and the database holds
the same bounds (CHECKs on `pack_offers`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation

from domain import policy
from domain.clubs.packs import queries
from domain.currencies import CurrencyError, to_minor
from domain.errors import InvalidAnswer, NotAllowed, NotFound
from domain.models import MAX_PACK_DAYS, MAX_PACK_SESSIONS, PackOffer
from domain.people.queries import first_names
from domain.policy import Action, Actor, CoachTarget
from domain.uow import UnitOfWork

NAME_LIMIT = 100


@dataclass(frozen=True)
class PackTerms:
    """What a coach asks for a pack."""

    name: str
    sessions: int
    price: Decimal
    currency: str
    valid_days: int


@dataclass(frozen=True)
class Offer:
    """A pack on sale, as a coach or a family sees it."""

    offer_id: uuid.UUID
    coach_name: str
    terms: PackTerms


def parse_money(text: str) -> tuple[Decimal, str]:
    """ "150 EUR" or "12.50 usd" as (price, currency); InvalidAnswer("packs.error.price")."""
    parts = text.split()
    if len(parts) != 2:
        raise InvalidAnswer("packs.error.price")
    amount, currency = parts[0].replace(",", "."), parts[1].upper()
    try:
        price = Decimal(amount)
        if not price.is_finite() or price <= 0 or price >= Decimal("100000000"):
            raise InvalidAnswer("packs.error.price")
        to_minor(price, currency)
    except (InvalidOperation, CurrencyError):
        raise InvalidAnswer("packs.error.price") from None
    return price, currency


def parse_pack(text: str) -> PackTerms:
    """A typed pack line as its terms; InvalidAnswer naming what to fix."""
    parts = [part.strip() for part in text.split(",")]
    if len(parts) != 4 or not parts[0]:
        raise InvalidAnswer("packs.error.format")
    name, sessions, money, days = parts
    if len(name) > NAME_LIMIT:
        raise InvalidAnswer("packs.error.name", limit=NAME_LIMIT)
    if not sessions.isdigit() or not 1 <= int(sessions) <= MAX_PACK_SESSIONS:
        raise InvalidAnswer("packs.error.sessions", most=MAX_PACK_SESSIONS)
    price, currency = parse_money(money)
    if not days.isdigit() or not 1 <= int(days) <= MAX_PACK_DAYS:
        raise InvalidAnswer("packs.error.days", most=MAX_PACK_DAYS)
    return PackTerms(name, int(sessions), price, currency, int(days))


async def define_pack(uow: UnitOfWork, *, actor: Actor, line: str, now: datetime) -> Offer:
    """Put a pack on sale on the actor's own coach profile."""
    if actor.coach_id is None:
        raise NotAllowed("not a coach", action=Action.SELL_PACKS_AND_FEES.value)
    policy.require(actor, Action.SELL_PACKS_AND_FEES, CoachTarget(actor.coach_id))
    terms = parse_pack(line)
    offer = PackOffer(
        id=uuid.uuid4(),
        coach_id=actor.coach_id,
        name=terms.name,
        sessions=terms.sessions,
        price=terms.price,
        currency=terms.currency,
        valid_days=terms.valid_days,
        created_at=now,
    )
    async with uow as tx:
        tx.session.add(offer)
        tx.audit.record(
            actor_id=actor.user_id, action="pack.defined", entity="pack_offer", entity_id=offer.id
        )
        await tx.commit()
    return Offer(offer.id, "", terms)


async def withdraw_pack(
    uow: UnitOfWork, *, actor: Actor, offer_id: uuid.UUID, now: datetime
) -> None:
    """Stop selling a pack (packs bought stay usable)."""
    async with uow as tx:
        found = await queries.offer_with_coach(tx, offer_id)
        if found is None:
            raise NotFound("no such pack")
        offer = found[0]
        policy.require(actor, Action.SELL_PACKS_AND_FEES, CoachTarget(offer.coach_id))
        offer.archived_at = now
        tx.audit.record(
            actor_id=actor.user_id, action="pack.withdrawn", entity="pack_offer", entity_id=offer.id
        )
        await tx.commit()


async def coach_offers(uow: UnitOfWork, *, actor: Actor) -> list[Offer]:
    """The actor's own packs on sale."""
    if actor.coach_id is None:
        return []
    async with uow as tx:
        rows = await queries.offers_of_coach(tx, actor.coach_id)
    return [Offer(offer.id, "", terms_of(offer)) for offer in rows]


@dataclass(frozen=True)
class FamilyOffers:
    """The packs a family may buy, and the athletes (id, first name) they may buy them for."""

    offers: list[Offer]
    athletes: list[tuple[uuid.UUID, str]]


async def family_offers(uow: UnitOfWork, *, actor: Actor) -> FamilyOffers:
    """The packs of the coaches who train the actor's athletes (or a team they are on)."""
    athletes = sorted(policy.athletes_actor_may_act_for(actor))
    if not athletes:
        return FamilyOffers([], [])
    async with uow as tx:
        rows = await queries.offers_for_athletes(tx, athletes)
        names = await first_names(tx, athletes)
    offers = [
        Offer(offer.id, " ".join(p for p in (first, last) if p), terms_of(offer))
        for offer, first, last in rows
    ]
    return FamilyOffers(offers, sorted(names.items(), key=lambda item: (item[1], item[0])))


def terms_of(offer: PackOffer) -> PackTerms:
    """A stored offer's terms."""
    return PackTerms(offer.name, offer.sessions, offer.price, offer.currency, offer.valid_days)

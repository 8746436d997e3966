"""Seats and a waitlist (issue 19, item 4): a family that finds a group session full waits in
its line; a freed place is offered to the first in line, who has until a deadline to take it.

- Joining, leaving, accepting and declining are the athlete's side's (`WAIT_FOR_PLACE`); the
  session's coach sees the line (`VIEW_WAITLIST`), a family only its own place.
- A place is freed by a cancellation, a coach raising capacity, or an offer declined, left or
  expired: `offer_free_places` (the `waitlist-offers` job, every minute) finds every session
  with more places than participants and standing offers, and offers them to the first in line
  through the outbox with Accept / Decline. The run holds a named lock, so replicas take turns
  and a place is never offered twice at once.
- The deadline is `offer_hours` after the family can first be written to (the offer waits out
  quiet hours like any notice that can wait), but never later than `CLOSES_BEFORE` the start;
  no offer is made when less than `SHORTEST_OFFER` would be left to answer it.
- Never two people in one seat: accepting counts the participant with a conditional UPDATE
  (`participant_count < capacity`) on the session's row, whose lock queues concurrent accepts;
  the check constraint `participants_within_capacity` has the last word. A booker cannot take a
  place while anyone waits in line (`take_group_place`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.booking.notices import booking_notices, payload, tell
from domain.booking.queries import waitlist as queries
from domain.booking.queries.notice_queue import FAMILY, Notice, enqueue_params, enqueue_statement
from domain.booking.sessions import GROUP, load_session
from domain.errors import DomainError, NotFound
from domain.models import (
    NotificationKind,
    SessionParticipant,
    WaitlistEntry,
    WaitlistStatus,
)
from domain.people.queries import audience_of
from domain.people.quiet_hours import held_until
from domain.policy import Action, Actor, AthleteTarget, SessionTarget, may, require
from domain.short_ids import short_id
from domain.uow import Transaction, UnitOfWork

DEFAULT_OFFER_HOURS = 12
# An offer closes this long before the start at the latest (time to get there), and is not made
# at all when less than SHORTEST_OFFER would be left to answer it.
CLOSES_BEFORE = timedelta(hours=1)
SHORTEST_OFFER = timedelta(minutes=15)
ACCEPT, DECLINE = "waitlist.accept", "waitlist.decline"
OFFER_LOCK = "waitlist-offers"


class OfferGone(DomainError):
    """Nothing to answer: the offer was answered, withdrawn, or the place is no longer in line."""

    message_key = "waitlist.error.gone"


class OfferExpired(DomainError):
    """The offer's deadline passed; the place went (or goes) to the next in line."""

    message_key = "waitlist.error.expired"


class PlaceTaken(DomainError):
    """Someone else got the place first; the family stays in line."""

    message_key = "waitlist.error.taken"


class NotWaitable(DomainError):
    """The session is not a live group session ahead: there is no line to wait in."""

    message_key = "waitlist.error.not_waitable"


class AlreadyIn(DomainError):
    """The athlete already has a place in this session."""

    message_key = "waitlist.error.already_in"


@dataclass(frozen=True)
class Place:
    """An athlete's place in a line: 1 is the first; `offered_until` while an offer stands."""

    entry_id: uuid.UUID
    athlete_name: str
    position: int
    start: datetime
    coach_name: str
    offered_until: datetime | None = None


@dataclass(frozen=True)
class Waiting:
    """One name in a coach's view of a line, in order."""

    athlete_name: str
    offered_until: datetime | None


@dataclass(frozen=True)
class Line:
    """A session of the coach's with people waiting, first in line first."""

    session_id: uuid.UUID
    start: datetime
    waiting: list[Waiting]


@dataclass(frozen=True)
class Lines:
    """What /waitlist shows: the family's places, and the lines of the coach's sessions."""

    places: list[Place]
    sessions: list[Line]


@dataclass(frozen=True)
class Answered:
    """An offer answered: whose, and whether they now have the place."""

    athlete_name: str
    start: datetime
    coach_name: str
    accepted: bool


async def join(
    uow: UnitOfWork, *, actor: Actor, session_id: uuid.UUID, athlete_id: uuid.UUID, now: datetime
) -> Place:
    """Put the athlete in the session's line (where they already stand, if they do)."""
    async with uow as tx:
        require(actor, Action.WAIT_FOR_PLACE, AthleteTarget(athlete_id))
        loaded = await load_session(tx, session_id)
        session = loaded.session
        if session.session_type != GROUP or session.status not in queries.LIVE:
            raise NotWaitable("not a live group session")
        if session.start_time <= now:
            raise NotWaitable("begun")
        if athlete_id in loaded.athlete_ids:
            raise AlreadyIn("in the session")
        place = await queries.in_line(tx, session_id, athlete_id)
        if place is None:
            place = WaitlistEntry(
                session_id=session_id, athlete_id=athlete_id, joined_by=actor.user_id, joined_at=now
            )
            tx.session.add(place)
            await tx.flush()  # AlreadyExists should a second tap race this one
            tx.audit.record(
                actor_id=actor.user_id,
                action="waitlist.joined",
                entity="training_session",
                entity_id=session_id,
                details={"athlete_id": str(athlete_id)},
            )
        found = await _place(tx, place, loaded.coach_user.first_name, session.start_time)
        await tx.commit()
    return found


async def leave(uow: UnitOfWork, *, actor: Actor, entry_id: uuid.UUID, now: datetime) -> Place:
    """Take the athlete out of the line (an offer standing goes to the next in line)."""
    async with uow as tx:
        place = await _own_place(tx, actor, entry_id)
        if place.status not in (WaitlistStatus.WAITING, WaitlistStatus.OFFERED):
            raise OfferGone(place.status)
        found = await _place_of(tx, place)
        await queries.resolve(tx, place, WaitlistStatus.LEFT, now)
        await tx.commit()
    return found


async def decline(uow: UnitOfWork, *, actor: Actor, entry_id: uuid.UUID, now: datetime) -> Answered:
    """Turn the offered place down; it goes to the next in line."""
    async with uow as tx:
        place = await _own_place(tx, actor, entry_id)
        _require_open_offer(place, now)
        found = await _place_of(tx, place)
        await queries.resolve(tx, place, WaitlistStatus.DECLINED, now)
        await tx.commit()
    return Answered(found.athlete_name, found.start, found.coach_name, accepted=False)


async def accept(uow: UnitOfWork, *, actor: Actor, entry_id: uuid.UUID, now: datetime) -> Answered:
    """Take the offered place: the athlete is in, unless the deadline passed or it is gone."""
    async with uow as tx:
        place = await _own_place(tx, actor, entry_id)
        found = await _place_of(tx, place)
        if place.status == WaitlistStatus.ACCEPTED:  # a second tap of Accept
            return Answered(found.athlete_name, found.start, found.coach_name, accepted=True)
        _require_open_offer(place, now)
        if not await queries.take_offered_place(tx, place.session_id, now):
            # The place went elsewhere (a coach lowering capacity, a forged second offer): they
            # keep their place in line, and are offered the next place that frees.
            await queries.back_in_line(tx, place)
            await tx.commit()
            raise PlaceTaken("full")
        tx.session.add(
            SessionParticipant(
                session_id=place.session_id, athlete_id=place.athlete_id, booked_by=actor.user_id
            )
        )
        await queries.resolve(tx, place, WaitlistStatus.ACCEPTED, now)
        loaded = await load_session(tx, place.session_id)
        await tell(
            tx,
            loaded,
            booking_notices(loaded.view(), now=now, booker=actor.user_id, joined=True),
            now=now,
            tag=short_id(place.athlete_id),
            athletes=[place.athlete_id],
        )
        tx.audit.record(
            actor_id=actor.user_id,
            action="waitlist.accepted",
            entity="training_session",
            entity_id=place.session_id,
            details={"athlete_id": str(place.athlete_id)},
        )
        await tx.commit()
    return Answered(found.athlete_name, found.start, found.coach_name, accepted=True)


async def lines(uow: UnitOfWork, *, actor: Actor, now: datetime) -> Lines:
    """The actor's athletes' places in line, and (a coach) the lines of their sessions ahead."""
    async with uow as tx:
        athletes = [a for a in _athletes_of(actor) if _may_wait(actor, a)]
        places = [
            Place(row[0], row[3], row[4], row[5], row[6], _deadline(row[1], row[2]))
            for row in await queries.family_lines(tx, athletes, now)
        ]
        sessions: dict[uuid.UUID, Line] = {}
        if actor.coach_id is not None:
            require(actor, Action.VIEW_WAITLIST, SessionTarget(actor.coach_id))
            for session_id, start, name, status, until in await queries.coach_lines(
                tx, actor.coach_id, now
            ):
                line = sessions.setdefault(session_id, Line(session_id, start, []))
                line.waiting.append(Waiting(name, _deadline(status, until)))
    return Lines(places, list(sessions.values()))


@dataclass(frozen=True)
class Offered:
    """What a run of the offers job did."""

    expired: int
    closed: int
    offered: int


async def offer_free_places(uow: UnitOfWork, *, now: datetime, offer_hours: int) -> Offered:
    """Expire overdue offers, close lines of sessions off or begun, and offer every free place
    to the first in line (an outbox notice with Accept / Decline); replicas take turns."""
    async with uow as tx:
        await tx.hold_lock(OFFER_LOCK)
        expired = await queries.expire_offers(tx, now)
        closed = await queries.close_lines(tx, now)
        for session_id, athlete_id, called_off in closed:
            if called_off:
                await _queue_line_closed(tx, session_id, athlete_id, now)
        offers = await queries.next_in_line(tx, starts_after=now + CLOSES_BEFORE + SHORTEST_OFFER)
        for entry_id, session_id, athlete_id, start in offers:
            # The hours to answer count from when the family can be written to (the notice
            # waits out their quiet hours), and end an hour before the start at the latest.
            reach = await _reachable_from(tx, athlete_id, now)
            until = min(reach + timedelta(hours=offer_hours), start - CLOSES_BEFORE)
            await queries.make_offer(tx, entry_id, now=now, until=until)
            await _queue_offer(tx, entry_id, session_id, athlete_id, until, now)
        await tx.commit()
    return Offered(expired, len(closed), len(offers))


async def _reachable_from(tx: Transaction, athlete_id: uuid.UUID, now: datetime) -> datetime:
    """The first moment someone of the athlete's side is out of their quiet hours."""
    moments = [
        held_until(now, user.timezone, user.quiet_from, user.quiet_until) or now
        for user in await audience_of(tx, athlete_id)
    ]
    return min(moments, default=now)


async def _queue_offer(
    tx: Transaction,
    entry_id: uuid.UUID,
    session_id: uuid.UUID,
    athlete_id: uuid.UUID,
    until: datetime,
    now: datetime,
) -> None:
    """The offer, to the athlete's side on Telegram, keyed by the place in line."""
    buttons = [
        [
            {"label": "waitlist.button.accept", "button": ACCEPT, "entry_id": str(entry_id)},
            {"label": "waitlist.button.decline", "button": DECLINE, "entry_id": str(entry_id)},
        ]
    ]
    facts = {"expires_at": until.isoformat(), "buttons": buttons}
    await _tell_family(
        tx, NotificationKind.SEAT_OFFER, session_id, athlete_id, facts, now, tag=short_id(entry_id)
    )


async def _queue_line_closed(
    tx: Transaction, session_id: uuid.UUID, athlete_id: uuid.UUID, now: datetime
) -> None:
    """News to the athlete's side that the session they waited for was called off."""
    await _tell_family(
        tx, NotificationKind.SEAT_LINE_CLOSED, session_id, athlete_id, {}, now, tag=""
    )


async def _tell_family(
    tx: Transaction,
    kind: NotificationKind,
    session_id: uuid.UUID,
    athlete_id: uuid.UUID,
    facts: dict[str, object],
    now: datetime,
    *,
    tag: str,
) -> None:
    loaded = await load_session(tx, session_id)
    view = loaded.view()
    facts = {**payload(view), "athlete": await queries.first_name(tx, athlete_id), **facts}
    params = enqueue_params(
        view,
        [Notice((FAMILY,), kind, facts)],
        coach_user_id=loaded.coach_user.id,
        athlete_ids=[athlete_id],
        now=now,
        tag=tag,
    )
    await tx.session.execute(enqueue_statement(), params)


async def _own_place(tx: Transaction, actor: Actor, entry_id: uuid.UUID) -> WaitlistEntry:
    """The place in line, locked, if the actor may act for its athlete (else NotAllowed)."""
    place = await queries.entry(tx, entry_id, lock=True)
    if place is None:
        raise NotFound("waitlist entry")
    require(actor, Action.WAIT_FOR_PLACE, AthleteTarget(place.athlete_id))
    return place


def _require_open_offer(place: WaitlistEntry, now: datetime) -> None:
    if place.status == WaitlistStatus.EXPIRED or (
        place.status == WaitlistStatus.OFFERED
        and place.offer_expires_at is not None
        and place.offer_expires_at <= now
    ):
        raise OfferExpired("expired")
    if place.status != WaitlistStatus.OFFERED:
        raise OfferGone(place.status)


async def _place_of(tx: Transaction, place: WaitlistEntry) -> Place:
    loaded = await load_session(tx, place.session_id)
    return await _place(tx, place, loaded.coach_user.first_name, loaded.session.start_time)


async def _place(tx: Transaction, place: WaitlistEntry, coach_name: str, start: datetime) -> Place:
    return Place(
        entry_id=place.id,
        athlete_name=await queries.first_name(tx, place.athlete_id),
        position=await queries.position(tx, place),
        start=start,
        coach_name=coach_name,
        offered_until=_deadline(place.status, place.offer_expires_at),
    )


def _deadline(status: str, until: datetime | None) -> datetime | None:
    return until if status == WaitlistStatus.OFFERED else None


def _athletes_of(actor: Actor) -> list[uuid.UUID]:
    own = [actor.own_athlete_id] if actor.own_athlete_id else []
    return [*own, *sorted(actor.guarded_athlete_ids)]


def _may_wait(actor: Actor, athlete_id: uuid.UUID) -> bool:
    return may(actor, Action.WAIT_FOR_PLACE, AthleteTarget(athlete_id))

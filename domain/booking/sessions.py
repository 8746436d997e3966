"""A training session with everything around it (coach, athletes, rules), loaded once per action.

`SessionView` is the plain snapshot the chat layer renders; it never touches the ORM.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from domain.booking.availability import AvailabilityRules
from domain.booking.queries import sessions as queries
from domain.currencies import money_value
from domain.errors import NotFound
from domain.models import Athlete, Coach, SessionRating, SessionStatus, TrainingSession, User
from domain.policy import Action, Actor, AthleteTarget, SessionTarget, may, require
from domain.uow import Transaction

LIVE = frozenset({SessionStatus.REQUESTED, SessionStatus.SCHEDULED})
GROUP = "group"


@dataclass(frozen=True)
class AthleteRating:
    """One athlete's rating of a session and the words with it."""

    athlete_name: str
    rating: int
    feedback: str | None


@dataclass(frozen=True)
class SessionView:
    """What anyone is shown about a session; times are UTC, shown in the viewer's zone."""

    id: uuid.UUID
    coach_id: uuid.UUID
    coach_name: str
    athlete_names: tuple[str, ...]
    athlete_ids: tuple[uuid.UUID, ...]  # in the order of `athlete_names`
    session_type: str
    status: str
    start: datetime
    end: datetime
    price: Decimal | None
    currency: str
    payment_status: str
    location: str
    meeting_url: str | None
    capacity: int
    participant_count: int
    coach_notes: str | None
    # Per athlete, in the order of `athlete_names`; a family's view holds only its own.
    ratings: tuple[AthleteRating, ...]
    coach_timezone: str
    sequence: int
    # What was paid, as notices carry money, when it is not the price itself (Telegram Stars
    # for a price in euros): a payer who paid ⭐ 2000 must not read "€40.00 (paid)" only.
    paid: dict[str, str] | None = None

    @property
    def minutes(self) -> int:
        """The session's length in minutes."""
        return int((self.end - self.start).total_seconds() // 60)

    @property
    def price_value(self) -> dict[str, str] | None:
        """The price as notices carry money, or None when the coach set no rate."""
        return None if self.price is None else money_value(self.price, self.currency)

    @property
    def is_live(self) -> bool:
        """Still ahead of everyone: requested or scheduled."""
        return self.status in LIVE


@dataclass
class LoadedSession:
    """A session row with its coach, the coach's user and rules, and its athletes."""

    session: TrainingSession
    coach: Coach
    coach_user: User
    athletes: list[tuple[Athlete, User]]
    ratings: dict[uuid.UUID, SessionRating]
    paid: tuple[Decimal, str] | None = None  # the amount and currency of its payment, if paid

    @property
    def rules(self) -> AvailabilityRules:
        """The coach's current availability and booking policy."""
        return AvailabilityRules.from_json(self.coach.availability)

    @property
    def athlete_ids(self) -> list[uuid.UUID]:
        """Every athlete in the session (one, or a group's participants)."""
        return [athlete.id for athlete, _ in self.athletes]

    def is_coach(self, actor: Actor) -> bool:
        """Whether the actor runs this session."""
        return may(actor, Action.RUN_SESSION, SessionTarget(self.session.coach_id))

    def require_coach(self, actor: Actor) -> None:
        """NotAllowed unless the actor runs this session."""
        require(actor, Action.RUN_SESSION, SessionTarget(self.session.coach_id))

    def athletes_of(self, actor: Actor) -> list[uuid.UUID]:
        """The session's athletes the actor books for (themself, their children)."""
        return [
            athlete_id
            for athlete_id in self.athlete_ids
            if may(actor, Action.BOOK_FOR_ATHLETE, AthleteTarget(athlete_id))
        ]

    def view_for(self, actor: Actor) -> SessionView:
        """The snapshot as this actor may see it: a group's families see their own children
        and their own ratings only."""
        view = self.view()
        if self.session.session_type != GROUP or self.is_coach(actor):
            return view
        mine = set(self.athletes_of(actor))
        own = [
            (athlete.id, user.first_name) for athlete, user in self.athletes if athlete.id in mine
        ]
        return replace(
            view,
            athlete_names=tuple(name for _, name in own),
            athlete_ids=tuple(athlete_id for athlete_id, _ in own),
            ratings=self._ratings_of(mine),
        )

    def _ratings_of(self, athlete_ids: set[uuid.UUID]) -> tuple[AthleteRating, ...]:
        return tuple(
            AthleteRating(user.first_name, rated.rating, rated.feedback)
            for athlete, user in self.athletes
            if athlete.id in athlete_ids and (rated := self.ratings.get(athlete.id)) is not None
        )

    def view(self) -> SessionView:
        """The snapshot to render (everything: for the coach and for notices)."""
        session, location = self.session, self.session.location or {}
        return SessionView(
            id=session.id,
            coach_id=self.coach.id,
            coach_name=full_name(self.coach_user),
            athlete_names=tuple(user.first_name for _, user in self.athletes),
            athlete_ids=tuple(self.athlete_ids),
            session_type=session.session_type,
            status=session.status,
            start=session.start_time,
            end=session.end_time,
            price=session.price,
            currency=self.coach.currency,
            payment_status=session.payment_status,
            location=str(location.get("text") or ""),
            meeting_url=location.get("url"),
            capacity=session.capacity,
            participant_count=session.participant_count,
            coach_notes=session.coach_notes,
            ratings=self._ratings_of(set(self.athlete_ids)),
            coach_timezone=self.rules.timezone,
            sequence=session.sequence,
            paid=self._paid_in_other_money(),
        )

    def _paid_in_other_money(self) -> dict[str, str] | None:
        if self.paid is None or self.paid[1] == self.coach.currency.upper():
            return None
        return money_value(*self.paid)


class Named(Protocol):
    """Anything with a person's names: a User, or a row read with their name columns."""

    @property
    def first_name(self) -> str | None: ...

    @property
    def last_name(self) -> str | None: ...


def full_name(user: Named) -> str:
    """First and last name as people write them."""
    return " ".join(part for part in (user.first_name, user.last_name) if part)


async def load_session(
    tx: Transaction, session_id: uuid.UUID, *, lock: bool = False
) -> LoadedSession:
    """The session and everything around it; `lock` holds the row until the action commits."""
    found = await queries.session_with_payment(tx, session_id, lock=lock)
    session, paid = found if found else (None, None)
    if session is None or session.coach_id is None:
        raise NotFound(f"session {session_id}")
    coach = await tx.coaches.get(session.coach_id)
    coach_user = await tx.users.get(coach.user_id) if coach.user_id else None
    if coach_user is None:
        raise NotFound(f"user of coach {coach.id}")
    athletes, ratings = await queries.athletes_of(tx, session)
    return LoadedSession(session, coach, coach_user, athletes, ratings, paid)

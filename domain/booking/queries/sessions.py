"""Training sessions: one with its athletes, lists by coach or athlete, group places, the busy
times free slots are cut from, ratings, and the unsent notices a change makes stale."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    ScalarSelect,
    Text,
    and_,
    bindparam,
    cast,
    delete,
    exists,
    func,
    or_,
    select,
    update,
)
from sqlalchemy.orm import InstrumentedAttribute, aliased

from domain.driver import DriverStatement
from domain.errors import NotFound
from domain.models import (
    Athlete,
    Coach,
    Notification,
    Payment,
    PaymentStatus,
    SessionParticipant,
    SessionRating,
    SessionStatus,
    TrainingSession,
    User,
    WaitlistEntry,
)
from domain.models.waitlists import IN_LINE
from domain.uow import Transaction


def _payment_holding(column: InstrumentedAttribute[Any]) -> ScalarSelect[Any]:
    return (
        select(column)
        .where(Payment.session_id == TrainingSession.id, Payment.status == PaymentStatus.COMPLETED)
        .limit(1)
        .scalar_subquery()
    )


_PAID_AMOUNT = _payment_holding(Payment.amount)
_PAID_CURRENCY = _payment_holding(Payment.currency)


async def session_with_payment(
    tx: Transaction, session_id: uuid.UUID, *, lock: bool = False
) -> tuple[TrainingSession, tuple[Decimal, str] | None] | None:
    """The session's row and what its completed payment paid (amount, currency), if any.

    `lock` holds the row until the transaction ends. The payment comes in the same statement:
    listing sessions costs no more for showing what was paid.
    """
    query = select(TrainingSession, _PAID_AMOUNT, _PAID_CURRENCY).where(
        TrainingSession.id == session_id
    )
    if lock:
        query = query.with_for_update(of=TrainingSession)
    row = (await tx.session.execute(query)).one_or_none()
    if row is None:
        return None
    session, amount, currency = row
    return session, ((amount, currency) if amount is not None else None)


async def athletes_of(
    tx: Transaction, session: TrainingSession
) -> tuple[list[tuple[Athlete, User]], dict[uuid.UUID, SessionRating]]:
    """The session's athlete (or a group's participants) with their users, by first name, and
    their ratings of it (one query for both)."""
    if session.athlete_id is not None:
        ids = select(Athlete.id).where(Athlete.id == session.athlete_id)
    else:
        ids = select(SessionParticipant.athlete_id).where(
            SessionParticipant.session_id == session.id
        )
    rated = and_(SessionRating.session_id == session.id, SessionRating.athlete_id == Athlete.id)
    rows = await tx.session.execute(
        select(Athlete, User, SessionRating)
        .join(User, User.id == Athlete.user_id)
        .outerjoin(SessionRating, rated)
        .where(Athlete.id.in_(ids))
        .order_by(User.first_name)
    )
    athletes: list[tuple[Athlete, User]] = []
    ratings: dict[uuid.UUID, SessionRating] = {}
    for athlete, user, rating in rows:
        athletes.append((athlete, user))
        if rating is not None:
            ratings[athlete.id] = rating
    return athletes, ratings


# The coach, their account and the athlete's first name in one statement built once (so it is
# compiled once); the rules come as the stored JSON text, which keys the parsed-rules cache.
_ATHLETE_USER = aliased(User)
_PARTIES = (
    select(
        Coach.user_id,
        Coach.hourly_rate,
        Coach.currency,
        cast(Coach.availability, Text).label("rules"),
        User.role,
        User.status,
        User.verification_status,
        User.first_name,
        User.last_name,
        select(_ATHLETE_USER.first_name)
        .join(Athlete, Athlete.user_id == _ATHLETE_USER.id)
        .where(Athlete.id == bindparam("athlete_id", type_=Athlete.id.type))
        .scalar_subquery()
        .label("athlete_name"),
    )
    .join(User, User.id == Coach.user_id)
    .where(Coach.id == bindparam("coach_id", type_=Coach.id.type))
)


_PARTIES_ON_DRIVER = DriverStatement(_PARTIES)


async def booking_parties(tx: Transaction, coach_id: uuid.UUID, athlete_id: uuid.UUID) -> Any:
    """The coach's booking terms and account, and the athlete's first name (None for no such
    athlete), in one query on the transaction's asyncpg connection; None for no such coach.

    A plain read: at READ COMMITTED it sees what it would see as the transaction's first
    statement, so it does not need the transaction begun on the server.
    """
    rows = await _PARTIES_ON_DRIVER.rows(tx, {"coach_id": coach_id, "athlete_id": athlete_id})
    return rows[0] if rows else None


async def coach_session_ids(
    tx: Transaction, coach_id: uuid.UUID, start: datetime, end: datetime
) -> Sequence[uuid.UUID]:
    """The coach's sessions starting in [start, end), cancelled ones left out, by start."""
    return (
        await tx.session.scalars(
            select(TrainingSession.id)
            .where(
                TrainingSession.coach_id == coach_id,
                TrainingSession.status != SessionStatus.CANCELLED,
                TrainingSession.start_time >= start,
                TrainingSession.start_time < end,
            )
            .order_by(TrainingSession.start_time)
        )
    ).all()


async def athletes_session_ids(
    tx: Transaction, athlete_ids: Collection[uuid.UUID], start: datetime, end: datetime
) -> Sequence[uuid.UUID]:
    """Sessions of these athletes (alone or in a group) starting in [start, end), cancelled
    ones left out, by start."""
    in_group = select(SessionParticipant.session_id).where(
        SessionParticipant.athlete_id.in_(athlete_ids)
    )
    return (
        await tx.session.scalars(
            select(TrainingSession.id)
            .where(
                or_(TrainingSession.athlete_id.in_(athlete_ids), TrainingSession.id.in_(in_group)),
                TrainingSession.status != SessionStatus.CANCELLED,
                TrainingSession.start_time >= start,
                TrainingSession.start_time < end,
            )
            .order_by(TrainingSession.start_time)
        )
    ).all()


async def live_session_at(
    tx: Transaction,
    coach_id: uuid.UUID,
    start: datetime,
    end: datetime,
    *,
    session_type: str | None = None,
) -> uuid.UUID | None:
    """The coach's live session at exactly [start, end) (of `session_type`, if given)."""
    query = select(TrainingSession.id).where(
        TrainingSession.coach_id == coach_id,
        TrainingSession.status != SessionStatus.CANCELLED,
        TrainingSession.start_time == start,
        TrainingSession.end_time == end,
    )
    if session_type is not None:
        query = query.where(TrainingSession.session_type == session_type)
    return await tx.session.scalar(query)


async def take_group_place(tx: Transaction, session_id: uuid.UUID) -> bool:
    """Count one more participant, unless the group is full; whether a place was taken."""
    # The check constraint (participant_count <= capacity) is the last word; the WHERE makes
    # a full session a clean "no row" instead of an error. A place freed while families wait
    # in line is theirs (offered in turn, `domain.booking.waitlist`), not the next booker's.
    waiting = exists().where(
        WaitlistEntry.session_id == session_id, WaitlistEntry.status.in_(IN_LINE)
    )
    taken = await tx.session.scalar(
        update(TrainingSession)
        .where(
            TrainingSession.id == session_id,
            TrainingSession.participant_count < TrainingSession.capacity,
            ~waiting,
        )
        .values(participant_count=TrainingSession.participant_count + 1)
        .returning(TrainingSession.id)
    )
    return taken is not None


async def remove_participants(
    tx: Transaction, session_id: uuid.UUID, athlete_ids: Collection[uuid.UUID]
) -> None:
    """Take these athletes out of a group session's participants."""
    await tx.session.execute(
        delete(SessionParticipant).where(
            SessionParticipant.session_id == session_id,
            SessionParticipant.athlete_id.in_(athlete_ids),
        )
    )


async def coach_rating(tx: Transaction, coach_id: uuid.UUID) -> tuple[Decimal | None, int]:
    """The average of the athletes' ratings of the coach's sessions and how many there are
    (one per athlete rated)."""
    average, count = (
        await tx.session.execute(
            select(func.avg(SessionRating.rating), func.count(SessionRating.rating))
            .join(TrainingSession, TrainingSession.id == SessionRating.session_id)
            .where(TrainingSession.coach_id == coach_id)
        )
    ).one()
    return average, count


async def busy_intervals(
    tx: Transaction,
    coach_id: uuid.UUID,
    start: datetime,
    end: datetime,
    *,
    excluding: uuid.UUID | None = None,
) -> list[tuple[datetime, datetime]]:
    """(start, end) of the coach's live sessions overlapping [start, end), in time order;
    `excluding` one session (the one being moved, whose own time does not block it).

    What the exclusion constraint's GiST index (coach_id, tstzrange) answers."""
    span = func.tstzrange(TrainingSession.start_time, TrainingSession.end_time, "[)")
    query = select(TrainingSession.start_time, TrainingSession.end_time).where(
        TrainingSession.coach_id == coach_id,
        TrainingSession.status != SessionStatus.CANCELLED,
        span.op("&&")(func.tstzrange(start, end, "[)")),
    )
    if excluding is not None:
        query = query.where(TrainingSession.id != excluding)
    rows = await tx.session.execute(query.order_by(TrainingSession.start_time))
    return [(row[0], row[1]) for row in rows]


async def open_group_times(
    tx: Transaction, coach_id: uuid.UUID, start: datetime, end: datetime, minutes: int
) -> list[tuple[datetime, datetime]]:
    """(start, end) of the coach's live group sessions of `minutes` starting in [start, end),
    in time order: booked ones a family may join (or wait for), a series' occurrences not."""
    query = select(TrainingSession.start_time, TrainingSession.end_time).where(
        TrainingSession.coach_id == coach_id,
        TrainingSession.session_type == "group",
        TrainingSession.series_id.is_(None),
        TrainingSession.status != SessionStatus.CANCELLED,
        TrainingSession.start_time >= start,
        TrainingSession.start_time < end,
        TrainingSession.end_time - TrainingSession.start_time == timedelta(minutes=minutes),
    )
    rows = await tx.session.execute(query.order_by(TrainingSession.start_time))
    return [(row[0], row[1]) for row in rows]


async def coach_availability(tx: Transaction, coach_id: uuid.UUID) -> dict[str, Any]:
    """The coach's stored availability rules ({} when never set); NotFound for no coach."""
    row = (await tx.session.execute(select(Coach.availability).where(Coach.id == coach_id))).first()
    if row is None:
        raise NotFound(f"coach {coach_id}")
    return row[0] or {}


async def drop_unsent_notices(
    tx: Transaction, *, kinds: Collection[str], session_id: uuid.UUID
) -> int:
    """Forget the not yet sent notifications of these kinds about one training session."""
    statement = delete(Notification).where(
        Notification.sent_at.is_(None),
        Notification.kind.in_(kinds),
        Notification.payload["session_id"].astext == str(session_id),
    )
    return (await tx.session.execute(statement)).rowcount or 0


async def is_athletes_session(
    tx: Transaction, session_id: uuid.UUID, athlete_id: uuid.UUID
) -> bool:
    """Whether the session is the athlete's, individually or in a group."""
    in_group = exists().where(
        SessionParticipant.session_id == TrainingSession.id,
        SessionParticipant.athlete_id == athlete_id,
    )
    found = await tx.session.scalar(
        select(TrainingSession.id).where(
            TrainingSession.id == session_id,
            or_(TrainingSession.athlete_id == athlete_id, in_group),
        )
    )
    return found is not None

"""The admin capability's SQL: people found by name, username or id; a person's card; the
service's figures; the audit trail; refunds; rows for the CSV exports."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, and_, func, literal, or_, select
from sqlalchemy.orm import aliased

from domain.models import (
    Admin,
    Athlete,
    AthleteLink,
    AuditEntry,
    Coach,
    Notification,
    Payment,
    PaymentStatus,
    SessionParticipant,
    TrainingSession,
    User,
    VideoAnalysis,
    VideoStatus,
)
from domain.uow import Transaction

FULL_NAME = func.lower(User.first_name + literal(" ") + User.last_name)
# Below this trigram similarity a name is no "near match" at all (pg_trgm's own default is 0.3;
# a short typed name against a first and last name scores lower).
NEAR_MATCH = 0.15
CAME_IN = (PaymentStatus.COMPLETED, PaymentStatus.REFUND_DUE, PaymentStatus.REFUNDED)


async def admins(tx: Transaction) -> Sequence[Row[tuple[User, Admin]]]:
    """Every admin with their grant, first granted first."""
    query = select(User, Admin).join(Admin, Admin.user_id == User.id)
    return (await tx.session.execute(query.order_by(Admin.granted_at, User.id))).all()


async def by_username(tx: Transaction, username: str) -> User | None:
    """The user whose Telegram @username this is (case-insensitive)."""
    query = select(User).where(func.lower(User.telegram_username) == username.lower())
    return (await tx.session.scalars(query.limit(1))).first()


async def by_name(tx: Transaction, name: str) -> Sequence[User]:
    """Users whose full name, or first name, is exactly this (case-insensitive)."""
    wanted = name.lower()
    query = select(User).where(or_(wanted == FULL_NAME, func.lower(User.first_name) == wanted))
    return (await tx.session.scalars(query.order_by(User.first_name, User.id).limit(10))).all()


async def nearest_by_name(tx: Transaction, name: str, limit: int) -> Sequence[User]:
    """The users whose names are most alike (pg_trgm similarity), best first."""
    score = func.similarity(FULL_NAME, name.lower())
    query = select(User).where(score > NEAR_MATCH).order_by(score.desc(), User.id).limit(limit)
    return (await tx.session.scalars(query)).all()


async def by_phone_index(tx: Transaction, indexes: Sequence[str]) -> Sequence[User]:
    """Users whose phone number's blind index is one of these."""
    query = select(User).where(User.phone_number_index.in_(list(indexes)))
    return (await tx.session.scalars(query.order_by(User.first_name, User.id).limit(10))).all()


async def is_admin(tx: Transaction, user_id: uuid.UUID) -> bool:
    """Whether the user has a row in `admins`."""
    return await tx.admins.find(user_id) is not None


async def children(tx: Transaction, user_id: uuid.UUID) -> Sequence[str]:
    """First names of the athletes this user is guardian of (parent or linked)."""
    linked = select(AthleteLink.athlete_id).where(
        AthleteLink.user_id == user_id, AthleteLink.relation == "guardian"
    )
    query = (
        select(User.first_name)
        .join(Athlete, Athlete.user_id == User.id)
        .where(or_(Athlete.parent_id == user_id, Athlete.id.in_(linked)))
        .order_by(User.first_name)
    )
    return (await tx.session.scalars(query)).all()


async def guardians(tx: Transaction, user_id: uuid.UUID) -> Sequence[str]:
    """First names of the guardians of this user's own athlete profile."""
    own = select(Athlete.id).where(Athlete.user_id == user_id).scalar_subquery()
    parent = select(Athlete.parent_id).where(Athlete.user_id == user_id).scalar_subquery()
    linked = select(AthleteLink.user_id).where(
        AthleteLink.athlete_id == own, AthleteLink.relation == "guardian"
    )
    query = select(User.first_name).where(or_(User.id == parent, User.id.in_(linked)))
    return (await tx.session.scalars(query.order_by(User.first_name))).all()


async def coaches_of(tx: Transaction, athlete_ids: Sequence[uuid.UUID]) -> Sequence[str]:
    """First names of the coaches with a non-cancelled session with any of these athletes."""
    if not athlete_ids:
        return []
    in_group = select(SessionParticipant.session_id).where(
        SessionParticipant.athlete_id.in_(athlete_ids)
    )
    query = (
        select(User.first_name)
        .join(Coach, Coach.user_id == User.id)
        .join(TrainingSession, TrainingSession.coach_id == Coach.id)
        .where(
            TrainingSession.status != "cancelled",
            or_(TrainingSession.athlete_id.in_(athlete_ids), TrainingSession.id.in_(in_group)),
        )
        .distinct()
        .order_by(User.first_name)
    )
    return (await tx.session.scalars(query)).all()


async def coached_count(tx: Transaction, coach_id: uuid.UUID) -> int:
    """How many distinct athletes had an individual, non-cancelled session with the coach."""
    query = select(func.count(TrainingSession.athlete_id.distinct())).where(
        TrainingSession.coach_id == coach_id, TrainingSession.status != "cancelled"
    )
    return int(await tx.session.scalar(query) or 0)


async def recent_activity(
    tx: Transaction, user_id: uuid.UUID, limit: int
) -> Sequence[Row[tuple[str, datetime | None]]]:
    """(action, at) of the latest audit entries by or about the user."""
    query = (
        select(AuditEntry.action, AuditEntry.at)
        .where(or_(AuditEntry.actor_id == user_id, AuditEntry.entity_id == user_id))
        .order_by(AuditEntry.at.desc(), AuditEntry.id)
        .limit(limit)
    )
    return (await tx.session.execute(query)).all()


async def last_suspension_reason(tx: Transaction, user_id: uuid.UUID) -> str | None:
    """The reason given with the user's latest suspension."""
    query = (
        select(AuditEntry.details["reason"].astext)
        .where(AuditEntry.entity_id == user_id, AuditEntry.action == "user.suspended")
        .order_by(AuditEntry.at.desc())
        .limit(1)
    )
    return await tx.session.scalar(query)


# --- /stats ------------------------------------------------------------------------------


async def people_by_role_and_status(tx: Transaction) -> Sequence[Row[tuple[str, str, int]]]:
    """(role, status, count) of the people signed up (NULL status reads active)."""
    status = func.coalesce(User.status, "active")
    query = (
        select(User.role, status, func.count())
        .where(User.onboarded_at.is_not(None))
        .group_by(User.role, status)
        .order_by(User.role, status)
    )
    return (await tx.session.execute(query)).all()


async def signed_up_since(tx: Transaction, since: datetime) -> int:
    """How many people finished signing up since then."""
    query = select(func.count()).select_from(User).where(User.onboarded_at >= since)
    return int(await tx.session.scalar(query) or 0)


async def sessions_by_status(tx: Transaction) -> Sequence[Row[tuple[str, int]]]:
    """(status, count) of every session."""
    query = select(TrainingSession.status, func.count()).group_by(TrainingSession.status)
    return (await tx.session.execute(query)).all()


async def revenue_by_month(tx: Transaction) -> Sequence[Row[tuple[datetime, str, Decimal]]]:
    """(first day of the month in UTC, currency, kept) of money that came in, oldest first."""
    month = func.date_trunc("month", func.timezone("UTC", Payment.created_at)).label("month")
    kept = func.sum(Payment.amount).filter(Payment.status == PaymentStatus.COMPLETED)
    query = (
        select(month, Payment.currency, func.coalesce(kept, Decimal(0)))
        .where(Payment.status.in_(CAME_IN))
        .group_by("month", Payment.currency)
        .order_by("month", Payment.currency)
    )
    return (await tx.session.execute(query)).all()


async def videos_by_status(tx: Transaction) -> Sequence[Row[tuple[str, int]]]:
    """(status, count) of the videos analysed or failed."""
    query = (
        select(VideoAnalysis.status, func.count())
        .where(VideoAnalysis.status.in_((VideoStatus.ANALYZED, VideoStatus.FAILED)))
        .group_by(VideoAnalysis.status)
    )
    return (await tx.session.execute(query)).all()


async def outbox_backlog(tx: Transaction, now: datetime) -> Row[tuple[int, datetime | None]]:
    """(how many notices are due and unsent, the oldest due time among them)."""
    query = select(func.count(), func.min(Notification.due_at)).where(
        Notification.sent_at.is_(None),
        Notification.due_at <= now,  # given-up rows are pushed far ahead (GIVE_UP_DELAY)
    )
    return (await tx.session.execute(query)).one()


# --- /audit ------------------------------------------------------------------------------


def _audit_filter(
    person: uuid.UUID | None, action: str | None, since: datetime | None, until: datetime | None
) -> list[Any]:
    where: list[Any] = []
    if person is not None:
        where.append(or_(AuditEntry.actor_id == person, AuditEntry.entity_id == person))
    if action:
        where.append(AuditEntry.action.startswith(action, autoescape=True))
    if since is not None:
        where.append(AuditEntry.at >= since)
    if until is not None:
        where.append(AuditEntry.at < until)
    return where


async def audit_page(
    tx: Transaction,
    *,
    person: uuid.UUID | None,
    action: str | None,
    since: datetime | None,
    until: datetime | None,
    offset: int,
    limit: int,
) -> Sequence[Row[tuple[AuditEntry, str | None, str | None]]]:
    """A page of entries, newest first: (entry, actor's full name, named user's full name)."""
    actor, target = aliased(User), aliased(User)
    query = (
        select(
            AuditEntry,
            func.trim(actor.first_name + literal(" ") + actor.last_name),
            func.trim(target.first_name + literal(" ") + target.last_name),
        )
        .outerjoin(actor, actor.id == AuditEntry.actor_id)
        .outerjoin(target, target.id == AuditEntry.entity_id)
        .where(*_audit_filter(person, action, since, until))
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .offset(offset)
        .limit(limit)
    )
    return (await tx.session.execute(query)).all()


async def audit_count(
    tx: Transaction,
    *,
    person: uuid.UUID | None,
    action: str | None,
    since: datetime | None,
    until: datetime | None,
) -> int:
    """How many entries match."""
    query = select(func.count()).select_from(AuditEntry)
    query = query.where(*_audit_filter(person, action, since, until))
    return int(await tx.session.scalar(query) or 0)


# --- money -------------------------------------------------------------------------------


async def payment_for_update(tx: Transaction, payment_id: uuid.UUID) -> Payment | None:
    """The payment, locked until the transaction ends."""
    query = select(Payment).where(Payment.id == payment_id).with_for_update()
    return (await tx.session.scalars(query)).first()


async def sessions_between(tx: Transaction, since: datetime, until: datetime) -> Sequence[Row[Any]]:
    """Sessions starting in [since, until), with the coach's and athlete's names, by start."""
    coach_user, athlete_user = aliased(User), aliased(User)
    query = (
        select(
            TrainingSession,
            coach_user.first_name.label("coach_first"),
            coach_user.last_name.label("coach_last"),
            athlete_user.first_name.label("athlete_first"),
            athlete_user.last_name.label("athlete_last"),
            Coach.currency,
        )
        .join(Coach, Coach.id == TrainingSession.coach_id)
        .outerjoin(coach_user, coach_user.id == Coach.user_id)
        .outerjoin(Athlete, Athlete.id == TrainingSession.athlete_id)
        .outerjoin(athlete_user, athlete_user.id == Athlete.user_id)
        .where(TrainingSession.start_time >= since, TrainingSession.start_time < until)
        .order_by(TrainingSession.start_time, TrainingSession.id)
    )
    return (await tx.session.execute(query)).all()


async def payments_between(tx: Transaction, since: datetime, until: datetime) -> Sequence[Row[Any]]:
    """Payments made in [since, until), with payer's and recipient's names, oldest first."""
    payer, recipient = aliased(User), aliased(User)
    query = (
        select(
            Payment,
            payer.first_name.label("payer_first"),
            payer.last_name.label("payer_last"),
            recipient.first_name.label("recipient_first"),
            recipient.last_name.label("recipient_last"),
        )
        .outerjoin(payer, payer.id == Payment.payer_id)
        .outerjoin(recipient, recipient.id == Payment.recipient_id)
        .where(Payment.created_at >= since, Payment.created_at < until)
        .order_by(Payment.created_at, Payment.id)
    )
    return (await tx.session.execute(query)).all()


async def people_between(tx: Transaction, since: datetime, until: datetime) -> Sequence[User]:
    """People who signed up (their row was created) in [since, until), oldest first."""
    query = (
        select(User)
        .where(and_(User.created_at >= since, User.created_at < until))
        .order_by(User.created_at, User.id)
    )
    return (await tx.session.scalars(query)).all()

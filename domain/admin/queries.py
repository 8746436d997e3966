"""The admin capability's SQL: people found by name, username or id; a person's card; the
service's figures; the audit trail; refunds; rows for the CSV exports; broadcasts' audiences,
their outbox rows and progress."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Row, Select, and_, delete, func, literal, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.orm import aliased

from domain.clubs.teams.queries import families_of_team
from domain.models import (
    Admin,
    Athlete,
    AthleteLink,
    AuditEntry,
    Broadcast,
    BroadcastAudience,
    BroadcastStatus,
    Coach,
    Notification,
    NotificationKind,
    Payment,
    PaymentStatus,
    SessionParticipant,
    SessionStatus,
    TrainingSession,
    User,
    UserStatus,
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


def audience_members(audience: str, value: str | None) -> Select[tuple[uuid.UUID, str | None]]:
    """(user id, status) of everyone on Telegram a broadcast's audience names."""
    query = select(User.id, User.status).where(User.telegram_user_id.is_not(None))
    if audience == BroadcastAudience.ROLE:
        return query.where(User.role == value)
    if audience == BroadcastAudience.SPORT:
        coaches = select(Coach.user_id).where(Coach.specializations.contains([value]))
        return query.where(User.id.in_(coaches))
    if audience == BroadcastAudience.COACH:
        return query.where(User.id.in_(_families_of(uuid.UUID(str(value)))))
    if audience == BroadcastAudience.TEAM:
        return query.where(User.id.in_(families_of_team(uuid.UUID(str(value)))))
    return query


def _families_of(coach_id: uuid.UUID) -> Any:
    """Users on the athletes' side of the coach's non-cancelled sessions: each athlete, their
    parent and their linked guardians."""
    grouped = (
        select(SessionParticipant.athlete_id)
        .join(TrainingSession, TrainingSession.id == SessionParticipant.session_id)
        .where(TrainingSession.coach_id == coach_id)
    )
    individual = select(TrainingSession.athlete_id).where(
        TrainingSession.coach_id == coach_id,
        TrainingSession.status != SessionStatus.CANCELLED,
        TrainingSession.athlete_id.is_not(None),
    )
    athletes = individual.union(grouped).subquery()
    own = select(Athlete.user_id).where(Athlete.id.in_(select(athletes)))
    parents = select(Athlete.parent_id).where(Athlete.id.in_(select(athletes)))
    linked = select(AthleteLink.user_id).where(
        AthleteLink.athlete_id.in_(select(athletes)), AthleteLink.relation == "guardian"
    )
    return own.union(parents, linked)


async def audience_size(tx: Transaction, audience: str, value: str | None) -> tuple[int, int]:
    """(reachable, blocked) people of an audience."""
    members = audience_members(audience, value).subquery()
    blocked = func.count().filter(members.c.status == UserStatus.BLOCKED)
    reachable, blocked_count = (await tx.session.execute(select(func.count(), blocked))).one()
    return int(reachable) - int(blocked_count), int(blocked_count)


async def queue_broadcast(tx: Transaction, broadcast: Broadcast, due_at: datetime) -> int:
    """One outbox row per reachable member (blocked people skipped); a second call adds none."""
    members = audience_members(broadcast.audience, broadcast.audience_value).subquery()
    key = str(broadcast.id)
    rows = select(
        func.uuid_generate_v4(),
        members.c.id,
        literal(NotificationKind.BROADCAST),
        func.jsonb_build_object("broadcast_id", key, "text", broadcast.message),
        literal(due_at),
        func.concat(f"broadcast:{key}:", members.c.id),
    ).where(or_(members.c.status.is_(None), members.c.status != UserStatus.BLOCKED))
    statement = (
        insert(Notification)
        .from_select(["id", "recipient_id", "kind", "payload", "due_at", "dedup_key"], rows)
        .on_conflict_do_nothing(index_elements=["dedup_key"])
    )
    return (await tx.session.execute(statement)).rowcount or 0


def _rows_of(broadcast_id: uuid.UUID) -> Any:
    return and_(
        Notification.kind == NotificationKind.BROADCAST,
        Notification.payload["broadcast_id"].astext == str(broadcast_id),
    )


async def broadcast_counts(tx: Transaction, broadcast_id: uuid.UUID) -> Row[tuple[int, ...]]:
    """(sent, blocked, failed, pending) of a broadcast's outbox rows."""
    unsent = Notification.sent_at.is_(None)
    given_up = and_(unsent, Notification.last_error.startswith("final:"))
    blocked = User.status == UserStatus.BLOCKED
    query = (
        select(
            func.count().filter(Notification.sent_at.is_not(None)),
            func.count().filter(given_up, blocked),
            func.count().filter(given_up, or_(User.status.is_(None), ~blocked)),
            func.count().filter(
                unsent, ~func.coalesce(Notification.last_error, "").startswith("final:")
            ),
        )
        .select_from(Notification)
        .join(User, User.id == Notification.recipient_id)
        .where(_rows_of(broadcast_id))
    )
    return (await tx.session.execute(query)).one()


async def drop_unsent_broadcast(tx: Transaction, broadcast_id: uuid.UUID) -> int:
    """Delete a broadcast's copies not sent yet (one being sent waits for its sender's commit)."""
    statement = delete(Notification).where(
        _rows_of(broadcast_id),
        Notification.sent_at.is_(None),
        ~func.coalesce(Notification.last_error, "").startswith("final:"),
    )
    return (await tx.session.execute(statement)).rowcount or 0


async def broadcast_for_update(tx: Transaction, broadcast_id: uuid.UUID) -> Broadcast | None:
    """The broadcast, locked until the transaction ends."""
    query = select(Broadcast).where(Broadcast.id == broadcast_id).with_for_update()
    return (await tx.session.scalars(query)).first()


async def broadcasts_sending(tx: Transaction) -> Sequence[Broadcast]:
    """Broadcasts confirmed and not yet done or cancelled, locked; others running skip them."""
    query = (
        select(Broadcast)
        .where(Broadcast.status == BroadcastStatus.SENDING)
        .order_by(Broadcast.started_at)
        .with_for_update(skip_locked=True)
    )
    return (await tx.session.scalars(query)).all()


async def finish_broadcast(
    tx: Transaction, broadcast_id: uuid.UUID, status: str, at: datetime
) -> None:
    """Mark a broadcast done or cancelled."""
    await tx.session.execute(
        update(Broadcast).where(Broadcast.id == broadcast_id).values(status=status, finished_at=at)
    )


async def coach_sports(tx: Transaction) -> Sequence[str]:
    """Every sport some coach teaches, alphabetically."""
    sport = func.unnest(Coach.specializations).label("sport")
    query = select(sport).distinct().order_by(sport)
    return (await tx.session.scalars(query)).all()


async def coaches_by_name(tx: Transaction, limit: int) -> Sequence[Row[tuple[uuid.UUID, str, str]]]:
    """(coach id, first name, last name) of coaches on Telegram, by name."""
    query = (
        select(Coach.id, User.first_name, User.last_name)
        .join(User, User.id == Coach.user_id)
        .order_by(User.first_name, User.last_name, Coach.id)
        .limit(limit)
    )
    return (await tx.session.execute(query)).all()


async def coach_name(tx: Transaction, coach_id: uuid.UUID) -> str | None:
    """The coach's full name, if there is such a coach."""
    query = (
        select(User.first_name, User.last_name)
        .join(Coach, Coach.user_id == User.id)
        .where(Coach.id == coach_id)
    )
    row = (await tx.session.execute(query)).first()
    return None if row is None else f"{row[0]} {row[1]}".strip()

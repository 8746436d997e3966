"""/broadcast: an admin's message to everyone, a role, the coaches of a sport or the families of
a coach. A draft is previewed, then confirmed: each recipient's copy becomes an outbox row,
sent by the outbox's senders at Telegram's pace; blocked people are skipped and counted.

The outbox's rows are the truth: the progress (sent, blocked, failed, waiting) is counted from
them, so a sender killed and started again goes on where it stopped, and a cancel drops the
copies not sent yet.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace
from datetime import datetime

from domain.admin import queries
from domain.clubs.teams import queries as team_queries
from domain.errors import InvalidInput, NotFound
from domain.models import Broadcast, BroadcastAudience, BroadcastStatus, Role
from domain.policy import Action, Actor, System, require
from domain.uow import Transaction, UnitOfWork

# Telegram's limit for one message, in UTF-16 code units.
MAX_LENGTH = 4096
# The pace the outbox's senders keep (Telegram's 30 messages a second), for the time left.
SEND_RATE_PER_S = 30.0
COACHES_LISTED = 40
ROLES = (Role.ATHLETE, Role.PARENT, Role.COACH, Role.MENTOR, Role.ADMIN)


class EmptyBroadcast(InvalidInput):
    """Nothing to send."""

    message_key = "broadcast.error.empty"


class BroadcastTooLong(InvalidInput):
    """Over Telegram's 4096 characters."""

    message_key = "broadcast.error.too_long"

    def __init__(self, length: int) -> None:
        super().__init__(f"broadcast of {length} characters", length=length, limit=MAX_LENGTH)


class BadAudience(InvalidInput):
    """A role, sport or coach that is not one (a forged or stale press)."""

    message_key = "broadcast.error.audience"


class NotADraft(InvalidInput):
    """Confirmed already, or cancelled."""

    message_key = "broadcast.error.not_draft"


@dataclass(frozen=True)
class Audience:
    """Who a broadcast goes to: everyone, a role, the coaches of a sport, a coach's families."""

    kind: BroadcastAudience
    value: str | None = None


@dataclass(frozen=True)
class Draft:
    """A broadcast written and not yet confirmed: what the preview shows."""

    broadcast_id: uuid.UUID
    message: str
    audience: Audience
    audience_name: str | None  # the coach's (or team's) name for their families
    reachable: int
    blocked: int


@dataclass(frozen=True)
class Progress:
    """How far a broadcast is, for its progress message."""

    broadcast_id: uuid.UUID
    status: BroadcastStatus
    chat_id: int | None
    message_id: int | None
    sent: int
    blocked: int  # skipped as blocked before sending, and found blocked while sending
    failed: int
    pending: int
    seconds_left: int
    language: str | None = None  # the admin's, for the progress message


@dataclass(frozen=True)
class Choices:
    """What an audience may name: the sports coaches teach, and coaches (id, name)."""

    sports: list[str]
    coaches: list[tuple[uuid.UUID, str]]
    teams: list[tuple[uuid.UUID, str]]


def utf16_length(text: str) -> int:
    """Length as Telegram counts it."""
    return len(text) + sum(1 for ch in text if ord(ch) > 0xFFFF)


async def choices(uow: UnitOfWork, *, admin: Actor) -> Choices:
    """The sports and coaches an admin may address a broadcast to."""
    require(admin, Action.ADMIN_COMMAND, System())
    async with uow as tx:
        sports = list(await queries.coach_sports(tx))
        coaches = await queries.coaches_by_name(tx, COACHES_LISTED)
        teams = [(team.id, team.name) for team in await team_queries.live_teams(tx, COACHES_LISTED)]
    return Choices(sports, [(row[0], f"{row[1]} {row[2]}".strip()) for row in coaches], teams)


async def draft(uow: UnitOfWork, *, admin: Actor, audience: Audience, message: str) -> Draft:
    """Keep a broadcast to preview; refused when empty or over Telegram's length."""
    require(admin, Action.ADMIN_COMMAND, System())
    message = message.strip()
    if not message:
        raise EmptyBroadcast("empty broadcast")
    if (length := utf16_length(message)) > MAX_LENGTH:
        raise BroadcastTooLong(length)
    async with uow as tx:
        name = await _check_audience(tx, audience)
        reachable, blocked = await queries.audience_size(tx, audience.kind, audience.value)
        broadcast = Broadcast(
            id=uuid.uuid4(),
            created_by=admin.user_id,
            audience=audience.kind,
            audience_value=audience.value,
            message=message,
            status=BroadcastStatus.DRAFT,
        )
        tx.session.add(broadcast)
        await tx.commit()
    return Draft(broadcast.id, message, audience, name, reachable, blocked)


async def _check_audience(tx: Transaction, audience: Audience) -> str | None:
    if audience.kind == BroadcastAudience.EVERYONE:
        return None
    if audience.kind == BroadcastAudience.ROLE and audience.value in set(ROLES):
        return None
    if audience.kind == BroadcastAudience.SPORT and audience.value in await queries.coach_sports(
        tx
    ):
        return None
    if audience.kind == BroadcastAudience.COACH and audience.value is not None:
        coach = await queries.coach_name(tx, uuid.UUID(audience.value))
        if coach is not None:
            return coach
    if audience.kind == BroadcastAudience.TEAM and audience.value is not None:
        team = await team_queries.team(tx, uuid.UUID(audience.value))
        if team is not None and team.archived_at is None:
            return team.name
    raise BadAudience(f"no audience {audience.kind}:{audience.value}")


async def confirm(
    uow: UnitOfWork,
    *,
    admin: Actor,
    broadcast_id: uuid.UUID,
    chat_id: int,
    message_id: int,
    now: datetime,
) -> Progress:
    """Queue a draft's copies, one outbox row per reachable person (audited)."""
    require(admin, Action.ADMIN_COMMAND, System())
    async with uow as tx:
        broadcast = await queries.broadcast_for_update(tx, broadcast_id)
        if broadcast is None:
            raise NotFound("no such broadcast")
        if broadcast.status != BroadcastStatus.DRAFT:
            raise NotADraft(f"broadcast {broadcast_id} is {broadcast.status}")
        queued = await queries.queue_broadcast(tx, broadcast, now)
        _, blocked = await queries.audience_size(tx, broadcast.audience, broadcast.audience_value)
        broadcast.status = BroadcastStatus.SENDING
        broadcast.recipients, broadcast.skipped_blocked = queued, blocked
        broadcast.progress_chat_id, broadcast.progress_message_id = chat_id, message_id
        broadcast.started_at = now
        tx.audit.record(
            actor_id=admin.user_id,
            action="broadcast.sent",
            entity="broadcast",
            entity_id=broadcast.id,
            details={
                "audience": broadcast.audience,
                "audience_value": broadcast.audience_value,
                "recipients": queued,
                "skipped_blocked": blocked,
                "length": len(broadcast.message),
            },
        )
        progress = await _progress(tx, broadcast, now)
        await tx.commit()
    return progress


async def cancel(
    uow: UnitOfWork, *, admin: Actor, broadcast_id: uuid.UUID, now: datetime
) -> Progress:
    """Stop a broadcast (or drop a draft): copies not sent yet are deleted (audited)."""
    require(admin, Action.ADMIN_COMMAND, System())
    async with uow as tx:
        broadcast = await queries.broadcast_for_update(tx, broadcast_id)
        if broadcast is None:
            raise NotFound("no such broadcast")
        if broadcast.status in (BroadcastStatus.DRAFT, BroadcastStatus.SENDING):
            dropped = await queries.drop_unsent_broadcast(tx, broadcast.id)
            broadcast.status, broadcast.finished_at = BroadcastStatus.CANCELLED, now
            tx.audit.record(
                actor_id=admin.user_id,
                action="broadcast.cancelled",
                entity="broadcast",
                entity_id=broadcast.id,
                details={"unsent_dropped": dropped},
            )
        progress = await _progress(tx, broadcast, now)
        await tx.commit()
    return progress


async def advance(uow: UnitOfWork, *, now: datetime) -> list[Progress]:
    """The progress of every broadcast sending; one with nothing left to send is marked done."""
    async with uow as tx:
        found = []
        for broadcast in await queries.broadcasts_sending(tx):
            progress = await _progress(tx, broadcast, now)
            if progress.pending == 0:
                await queries.finish_broadcast(tx, broadcast.id, BroadcastStatus.DONE, now)
                progress = _with_status(progress, BroadcastStatus.DONE)
            found.append(progress)
        await tx.commit()
    return found


async def _progress(tx: Transaction, broadcast: Broadcast, now: datetime) -> Progress:
    sent, blocked, failed, pending = await queries.broadcast_counts(tx, broadcast.id)
    admin = await tx.users.find(broadcast.created_by) if broadcast.created_by else None
    done = sent + blocked + failed
    if broadcast.status == BroadcastStatus.CANCELLED:  # its unsent rows are gone
        pending = max(broadcast.recipients - done, 0)
    elapsed = (now - broadcast.started_at).total_seconds() if broadcast.started_at else 0.0
    rate = done / elapsed if done and elapsed > 5 else SEND_RATE_PER_S
    return Progress(
        broadcast_id=broadcast.id,
        status=BroadcastStatus(broadcast.status),
        chat_id=broadcast.progress_chat_id,
        message_id=broadcast.progress_message_id,
        sent=sent,
        blocked=blocked + broadcast.skipped_blocked,
        failed=failed,
        pending=pending,
        seconds_left=round(pending / max(rate, 1.0)),
        language=admin.language_code if admin is not None else None,
    )


def _with_status(progress: Progress, status: BroadcastStatus) -> Progress:
    return replace(progress, status=status, seconds_left=0)

"""/user: find a person by name, @username, phone or id; their card; suspend, unsuspend.

Phone numbers are encrypted (migration 0010); a phone search goes through their blind index
(`domain.people.phone_numbers`, migration 0012) and decrypts only the few rows it finds.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from domain.actors import actor_for_user
from domain.admin import queries
from domain.admin.admins import full_name
from domain.booking.refunds import CancellationRefund
from domain.booking.slot_cache import SlotCache
from domain.booking.suspension import cancel_future_sessions
from domain.errors import InvalidInput, NotFound
from domain.models import NotificationKind, User, UserStatus
from domain.people.phone_numbers import indexes_to_try
from domain.policy import Action, Actor, System, UserTarget, require
from domain.secrets_box import SecretBox, UndecryptableField
from domain.short_ids import parse_id
from domain.uow import Transaction, UnitOfWork

NEAREST = 5
RECENT = 5
REASON_LENGTH = (3, 500)
SHORT_ID_LENGTH = 22
TELEGRAM_ID_DIGITS = 18
_PHONE = re.compile(r"^\+?[\d\s().-]{7,}$")


@dataclass(frozen=True)
class Match:
    """Someone a search found, as a button shows them."""

    user_id: uuid.UUID
    name: str
    role: str


@dataclass(frozen=True)
class PersonCard:
    """What an admin sees of a person: role, status, family and coach links, recent activity."""

    user_id: uuid.UUID
    name: str
    role: str
    status: str
    is_admin: bool
    telegram_user_id: int | None
    username: str | None
    signed_up_at: datetime | None
    last_seen_at: datetime | None
    suspension_reason: str | None
    children: list[str] = field(default_factory=list)
    guardians: list[str] = field(default_factory=list)
    coaches: list[str] = field(default_factory=list)
    athletes_coached: int | None = None
    recent: list[tuple[str, datetime | None]] = field(default_factory=list)


@dataclass(frozen=True)
class Search:
    """One card when the search named one person; else the exact or nearest matches."""

    card: PersonCard | None
    matches: list[Match]
    nearest: bool  # no exact match: these are the most alike names


@dataclass(frozen=True)
class StatusChange:
    """A suspension or its end: the new card and how many sessions it cancelled."""

    card: PersonCard
    sessions_cancelled: int


class CannotSuspend(InvalidInput):
    """Admins (oneself included) are demoted before they can be suspended."""

    message_key = "admin.error.suspend_admin"


class BadReason(InvalidInput):
    """The reason is empty or too long."""

    message_key = "admin.error.suspend_reason"


class AlreadyInStatus(InvalidInput):
    """Suspending someone suspended, or restoring someone who is not."""

    message_key = "admin.error.status_unchanged"


async def find(uow: UnitOfWork, *, admin: Actor, query: str, box: SecretBox) -> Search:
    """The person the query names, or the closest matches; NotFound for an empty query."""
    require(admin, Action.ADMIN_COMMAND, System())
    text = " ".join(query.split())
    if not text:
        raise NotFound("empty query")
    async with uow as tx:
        user = await _exactly(tx, text)
        if user is not None:
            return Search(await _card(tx, user), [], nearest=False)
        phoned = await _by_phone(tx, text, box)
        named = phoned or await queries.by_name(tx, text.lstrip("@"))
        if len(named) == 1:
            return Search(await _card(tx, named[0]), [], nearest=False)
        if named:
            return Search(None, [_match(u) for u in named], nearest=False)
        alike = await queries.nearest_by_name(tx, text.lstrip("@"), NEAREST)
    return Search(None, [_match(u) for u in alike], nearest=True)


async def card(uow: UnitOfWork, *, admin: Actor, user_id: uuid.UUID) -> PersonCard:
    """One person's card."""
    require(admin, Action.ADMIN_COMMAND, System())
    require(admin, Action.VIEW_PROFILE, UserTarget(user_id))
    async with uow as tx:
        return await _card(tx, await tx.users.get(user_id))


async def suspend(
    uow: UnitOfWork,
    *,
    admin: Actor,
    user_id: uuid.UUID,
    reason: str,
    now: datetime,
    slots: SlotCache,
    refund: CancellationRefund,
) -> StatusChange:
    """Suspend the person: told why, future sessions cancelled with refunds, nothing more
    allowed (domain.policy refuses every action of a suspended actor) until unsuspended."""
    require(admin, Action.ADMIN_COMMAND, System())
    reason = " ".join(reason.split())
    if not REASON_LENGTH[0] <= len(reason) <= REASON_LENGTH[1]:
        raise BadReason("reason length", low=REASON_LENGTH[0], high=REASON_LENGTH[1])
    async with uow as tx:
        user = await tx.users.get(user_id)
        if await queries.is_admin(tx, user_id):
            raise CannotSuspend("an admin", name=user.first_name)
        if user.status == UserStatus.SUSPENDED:
            raise AlreadyInStatus("already suspended", name=user.first_name)
        person = await actor_for_user(tx, user)
        touched = await cancel_future_sessions(
            tx, person=person, admin=admin, now=now, refund=refund
        )
        user.status = UserStatus.SUSPENDED
        _audit(tx, admin, user, "user.suspended", reason=reason, sessions=len(touched))
        await _tell(tx, user, NotificationKind.ACCOUNT_SUSPENDED, now, reason=reason)
        await tx.flush()
        changed = StatusChange(await _card(tx, user), len(touched))
        await tx.commit()
    for view in touched:
        await slots.forget_session(view.coach_id, view.coach_timezone, view.start, view.end)
    return changed


async def unsuspend(
    uow: UnitOfWork, *, admin: Actor, user_id: uuid.UUID, now: datetime
) -> StatusChange:
    """Lift a suspension; the person is told they can use the bot again."""
    require(admin, Action.ADMIN_COMMAND, System())
    async with uow as tx:
        user = await tx.users.get(user_id)
        if user.status != UserStatus.SUSPENDED:
            raise AlreadyInStatus("not suspended", name=user.first_name)
        user.status = UserStatus.ACTIVE
        _audit(tx, admin, user, "user.unsuspended")
        await _tell(tx, user, NotificationKind.ACCOUNT_RESTORED, now)
        await tx.flush()
        changed = StatusChange(await _card(tx, user), 0)
        await tx.commit()
    return changed


async def record_reset(uow: UnitOfWork, *, admin: Actor, user_id: uuid.UUID) -> PersonCard:
    """Audit an admin's reset of the person's conversations (the runtime ends them)."""
    require(admin, Action.ADMIN_COMMAND, System())
    async with uow as tx:
        user = await tx.users.get(user_id)
        _audit(tx, admin, user, "user.conversation_reset")
        found = await _card(tx, user)
        await tx.commit()
    return found


async def resolve_one(tx: Transaction, text: str) -> User | None:
    """The one user an @username, id or full name names (no phone search), else None."""
    found = await _exactly(tx, text)
    if found is not None:
        return found
    named = await queries.by_name(tx, text.lstrip("@"))
    return named[0] if len(named) == 1 else None


async def _exactly(tx: Transaction, text: str) -> User | None:
    """The one user an @username, a Telegram id or a user id names."""
    if text.startswith("@"):
        return await queries.by_username(tx, text[1:])
    # A user's id as stored, or as the audit trail shows it (domain.short_ids).
    try:
        user_id: uuid.UUID | None = uuid.UUID(text)
    except ValueError:
        user_id = parse_id(text) if len(text) == SHORT_ID_LENGTH else None
    if user_id is not None and (found := await tx.users.find(user_id)) is not None:
        return found
    # Telegram ids fit a BIGINT; a longer run of digits can only be a phone number.
    is_telegram_id = text.isdigit() and len(text) <= TELEGRAM_ID_DIGITS
    if is_telegram_id and (found := await tx.users.by_telegram_id(int(text))) is not None:
        return found
    return None


async def _by_phone(tx: Transaction, text: str, box: SecretBox) -> Sequence[User]:
    """The people whose number ends as the typed one, found by its blind index."""
    if not _PHONE.match(text):
        return []
    found = await queries.by_phone_index(tx, indexes_to_try(text, box))
    # The index is of the last 9 digits: a longer number typed must match in full.
    typed = re.sub(r"\D", "", text)
    return [user for user in found if _ends_alike(user, typed, box)]


def _ends_alike(user: User, typed: str, box: SecretBox) -> bool:
    try:
        stored = re.sub(r"\D", "", box.decrypt(user.phone_number or ""))
    except UndecryptableField:
        return False
    return stored.endswith(typed) or typed.endswith(stored)


async def _card(tx: Transaction, user: User) -> PersonCard:
    person = await actor_for_user(tx, user)
    athletes = [*person.guarded_athlete_ids, *filter(None, [person.own_athlete_id])]
    return PersonCard(
        user_id=user.id,
        name=full_name(user.first_name, user.last_name),
        role=user.role,
        status=user.status or UserStatus.ACTIVE,
        is_admin=person.is_admin,
        telegram_user_id=user.telegram_user_id,
        username=user.telegram_username,
        signed_up_at=user.onboarded_at or user.created_at,
        last_seen_at=user.last_login_at,
        suspension_reason=(
            await queries.last_suspension_reason(tx, user.id)
            if user.status == UserStatus.SUSPENDED
            else None
        ),
        children=list(await queries.children(tx, user.id)),
        guardians=list(await queries.guardians(tx, user.id)),
        coaches=list(await queries.coaches_of(tx, athletes)),
        athletes_coached=(
            await queries.coached_count(tx, person.coach_id) if person.coach_id else None
        ),
        recent=[(action, at) for action, at in await queries.recent_activity(tx, user.id, RECENT)],
    )


def _match(user: User) -> Match:
    return Match(user.id, full_name(user.first_name, user.last_name), user.role)


def _audit(tx: Transaction, admin: Actor, user: User, action: str, **details: object) -> None:
    tx.audit.record(
        actor_id=admin.user_id, action=action, entity="user", entity_id=user.id, details=details
    )


async def _tell(
    tx: Transaction, user: User, kind: NotificationKind, now: datetime, **facts: str
) -> None:
    if user.telegram_user_id is None:
        return  # a child without Telegram: their guardians hear of cancelled sessions
    await tx.outbox.enqueue(
        recipient_id=user.id,
        kind=kind,
        dedup_key=f"{kind}:{user.id}:{now.isoformat()}",
        payload=dict(facts),
        due_at=now,
    )

"""Coach profiles and their verification: a coach sets up, submits, an admin approves or rejects."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any, Protocol

from domain import policy
from domain.coaching import queries
from domain.coaching.profile import CoachProfileInput
from domain.errors import AlreadyExists, InvalidInput, NotAllowed, NotFound
from domain.models import Coach, Role, User, UserStatus
from domain.policy import Action, Actor, CoachTarget, System, UserTarget
from domain.uow import Transaction, UnitOfWork

MIN_REASON, MAX_REASON = 3, 500
_ACTIVE = frozenset({None, UserStatus.ACTIVE})


class AlreadyDecided(AlreadyExists):
    """The coach was approved or rejected already (maybe by another admin)."""

    message_key = "admin.already_decided"


class AlreadyVerified(AlreadyExists):
    """A verified coach has nothing to submit."""

    message_key = "coach.already_verified"


class ProfileIncomplete(InvalidInput):
    """Something the admins need is missing from the profile."""

    message_key = "coach.error.incomplete"


class BadReason(InvalidInput):
    """A rejection reason too short or too long."""

    message_key = "admin.error.bad_reason"


class NotACoach(NotAllowed):
    """Only users whose role is coach have a coach profile."""

    message_key = "coach.not_a_coach"


@dataclass(frozen=True)
class CoachReview:
    """A coach's profile as admins review it and as the coach's flow shows it."""

    coach_id: uuid.UUID
    name: str
    specializations: list[str]
    years_experience: int | None
    hourly_rate: Decimal | None
    currency: str
    bio: str | None
    documents: list[dict[str, Any]]
    chat_id: int | None  # where the coach is written to
    language: str | None
    verified: bool
    submitted: bool
    note: str | None  # the last rejection reason
    has_hours: bool  # weekly or dated hours set: athletes can book once verified


@dataclass(frozen=True)
class Submission:
    """A submitted profile and the private chats of everyone who may review it."""

    review: CoachReview
    reviewer_chat_ids: list[tuple[int, str | None]]  # (chat id, language)


class CoachAccount(Protocol):
    """A coach's own user account: a User, or a row read with these columns."""

    @property
    def role(self) -> str | None: ...

    @property
    def verification_status(self) -> bool | None: ...

    @property
    def status(self) -> str | None: ...


def is_bookable(account: CoachAccount) -> bool:
    """Whether athletes may book the coach with this account: a coach's, verified by an admin,
    active."""
    return (
        account.role == Role.COACH
        and bool(account.verification_status)
        and account.status in _ACTIVE
    )


def documents_of(coach: Coach) -> list[dict[str, Any]]:
    """The certification documents listed on a coach profile."""
    return list((coach.verification_documents or {}).get("documents", []))


def require_coach(actor: Actor) -> None:
    """NotACoach unless the actor is a coach acting on their own account."""
    if actor.role != Role.COACH:
        raise NotACoach("only coaches have a coach profile")
    policy.require(actor, Action.EDIT_PROFILE, UserTarget(actor.user_id))


async def profile_of(uow: UnitOfWork, *, actor: Actor) -> CoachReview | None:
    """The actor's own coach profile, or None if they have not saved one yet."""
    require_coach(actor)
    async with uow as tx:
        coach = await queries.coach_of_user(tx, actor.user_id)
        if coach is None:
            return None
        return _review(coach, await tx.users.get(actor.user_id))


async def save_profile(uow: UnitOfWork, *, actor: Actor, profile: CoachProfileInput) -> CoachReview:
    """Create or update the actor's coach profile (documents and verification untouched)."""
    require_coach(actor)
    async with uow as tx:
        coach = await queries.coach_of_user(tx, actor.user_id)
        if coach is None:
            coach = tx.coaches.add(Coach(user_id=actor.user_id, verification_documents={}))
        coach.specializations = list(profile.specializations)
        coach.years_experience = profile.years_experience
        coach.hourly_rate = profile.hourly_rate
        coach.currency = profile.currency
        coach.bio = profile.bio
        await tx.flush()
        review = _review(coach, await tx.users.get(actor.user_id))
        await tx.commit()
    return review


async def submit_for_verification(uow: UnitOfWork, *, actor: Actor) -> Submission:
    """Ask the admins to verify the actor's profile; ProfileIncomplete if something is missing."""
    require_coach(actor)
    async with uow as tx:
        coach = await queries.coach_of_user(tx, actor.user_id)
        user = await tx.users.get(actor.user_id)
        if coach is None or not _complete(coach):
            raise ProfileIncomplete("coach profile incomplete")
        if user.verification_status:
            raise AlreadyVerified("coach already verified")
        _set_verification(coach, submitted_at=_now())
        tx.audit.record(
            actor_id=actor.user_id, action="coach.submitted", entity="coach", entity_id=coach.id
        )
        reviewers = await _reviewer_chats(tx)
        review = _review(coach, user)
        await tx.commit()
    return Submission(review, reviewers)


async def review(uow: UnitOfWork, *, admin: Actor, coach_id: uuid.UUID) -> CoachReview:
    """A pending coach's profile for an admin about to decide; AlreadyDecided if not pending."""
    policy.require(admin, Action.VERIFY_COACH, CoachTarget(coach_id))
    async with uow as tx:
        coach = await tx.coaches.get(coach_id)
        return _pending_review(coach, await _user_of(tx, coach))


async def approve(uow: UnitOfWork, *, admin: Actor, coach_id: uuid.UUID) -> CoachReview:
    """Verify a pending coach, so they become bookable; audited as coach.verified."""
    policy.require(admin, Action.VERIFY_COACH, CoachTarget(coach_id))
    async with uow as tx:
        coach, user = await _locked(tx, coach_id)
        _pending_review(coach, user)
        user.verification_status = True
        coach.verification_note = None
        _set_verification(coach, submitted_at=None, decided_at=_now())
        tx.audit.record(
            actor_id=admin.user_id, action="coach.verified", entity="coach", entity_id=coach.id
        )
        result = _review(coach, user)
        await tx.commit()
    return result


async def reject(uow: UnitOfWork, *, admin: Actor, coach_id: uuid.UUID, reason: str) -> CoachReview:
    """Send a pending coach back with a reason they can fix; audited as coach.rejected."""
    policy.require(admin, Action.VERIFY_COACH, CoachTarget(coach_id))
    reason = " ".join(reason.split())
    if not MIN_REASON <= len(reason) <= MAX_REASON:
        raise BadReason(min=MIN_REASON, max=MAX_REASON)
    async with uow as tx:
        coach, user = await _locked(tx, coach_id)
        _pending_review(coach, user)
        coach.verification_note = reason
        _set_verification(coach, submitted_at=None, decided_at=_now())
        tx.audit.record(
            actor_id=admin.user_id,
            action="coach.rejected",
            entity="coach",
            entity_id=coach.id,
            details={"reason": reason},
        )
        result = _review(coach, user)
        await tx.commit()
    return result


async def pending(uow: UnitOfWork, *, admin: Actor) -> list[CoachReview]:
    """Coaches who submitted their profile and are not verified yet, oldest submission first."""
    policy.require(admin, Action.ADMIN_COMMAND, System())
    async with uow as tx:
        rows = await queries.submitted_unverified(tx)
        return [_review(coach, user) for coach, user in rows]


def _complete(coach: Coach) -> bool:
    fields = (coach.specializations, coach.years_experience is not None, coach.hourly_rate)
    return all(fields) and bool(coach.bio) and bool(documents_of(coach))


def _pending_review(coach: Coach, user: User) -> CoachReview:
    found = _review(coach, user)
    if found.verified or not found.submitted:
        raise AlreadyDecided("coach verification already decided")
    return found


async def _locked(tx: Transaction, coach_id: uuid.UUID) -> tuple[Coach, User]:
    # Row locks: two admins pressing at once are decided one after the other.
    coach = await tx.session.get(Coach, coach_id, with_for_update=True)
    if coach is None:
        raise NotFound("coach")
    return coach, await _user_of(tx, coach, lock=True)


async def _user_of(tx: Transaction, coach: Coach, *, lock: bool = False) -> User:
    user = await tx.session.get(User, coach.user_id, with_for_update=lock)
    if user is None:
        raise NotFound("coach user")
    return user


async def _reviewer_chats(tx: Transaction) -> list[tuple[int, str | None]]:
    chats: dict[int, str | None] = {}
    for user in await queries.admins(tx):
        chat_id = user.telegram_chat_id or user.telegram_user_id
        if chat_id is not None and user.status in _ACTIVE:
            chats[chat_id] = user.language_code
    return sorted(chats.items())


def _set_verification(coach: Coach, **changes: str | None) -> None:
    # JSONB is not change-tracked in place: assign a new dict.
    coach.verification_documents = {**(coach.verification_documents or {}), **changes}


def _review(coach: Coach, user: User) -> CoachReview:
    return CoachReview(
        coach_id=coach.id,
        name=" ".join(part for part in (user.first_name, user.last_name) if part),
        specializations=list(coach.specializations or []),
        years_experience=coach.years_experience,
        hourly_rate=coach.hourly_rate,
        currency=coach.currency or "EUR",
        bio=coach.bio,
        documents=documents_of(coach),
        chat_id=user.telegram_chat_id or user.telegram_user_id,
        language=user.language_code,
        verified=bool(user.verification_status),
        submitted=bool((coach.verification_documents or {}).get("submitted_at")),
        note=coach.verification_note,
        has_hours=_has_hours(coach),
    )


def _has_hours(coach: Coach) -> bool:
    # The raw JSON: coaching lies below booking, whose AvailabilityRules reads it in full.
    availability = coach.availability or {}
    return any(availability.get("weekly", {}).values()) or any(
        availability.get("exceptions", {}).values()
    )


def _now() -> str:
    return datetime.now(UTC).isoformat()

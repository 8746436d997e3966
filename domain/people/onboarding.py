"""Signing up and profiles: register in one transaction, read under policy, edit one field."""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from domain.actors import actor_for_user
from domain.errors import AlreadyExists, DomainError, NotAllowed, NotFound
from domain.models import Admin, Athlete, Role, User, UserStatus
from domain.people import queries
from domain.people.phone_numbers import phone_index
from domain.people.private_chats import require_private_chat
from domain.people.profile_fields import ProfileField, apply_answer
from domain.people.profile_input import EmergencyContact, InvalidAnswer, PersonName, age_on
from domain.people.profile_view import ProfileView, load_profile, may_any, view_for
from domain.policy import Action, Actor
from domain.secrets_box import SecretBox
from domain.uow import Transaction, UnitOfWork

# Admin is never chosen; these are the buttons at sign-up. A mentor signs up alone and is
# linked to an athlete once a guardian approves (domain.people.mentors), or by invitation.
SELF_CHOSEN_ROLES = (Role.ATHLETE, Role.PARENT, Role.COACH, Role.MENTOR)
MIN_AGE_TO_SIGN_UP_ALONE = 16  # younger athletes are added by a parent (issue 5)
ADULT_AGE = 18  # parents and coaches answer for others


class EmailTaken(InvalidAnswer):
    """Another user already gave this email address."""

    def __init__(self) -> None:
        super().__init__("profile.hint.email_taken")


class NeedsGuardian(DomainError):
    """An athlete too young to sign up alone: a parent signs up and invites them."""

    message_key = "onboarding.birth.ask_parent"


@dataclass(frozen=True)
class AthleteAnswers:
    """What an athlete answers beyond the common profile."""

    sport: str
    position: str | None = None
    height_cm: int | None = None
    weight_kg: Decimal | None = None
    dominant_hand: str | None = None
    emergency: EmergencyContact | None = None
    medical_notes: str | None = None


@dataclass(frozen=True)
class Registration:
    """Everything the guided profile collected, ready to save."""

    telegram_user_id: int
    chat_id: int
    language_code: str | None
    role: str
    name: PersonName
    phone: str
    born: date
    timezone: str
    email: str | None = None
    units: str = "metric"
    athlete: AthleteAnswers | None = None
    username: str | None = None  # Telegram's @username, for /user


def preset_role(telegram_user_id: int, admin_telegram_ids: Collection[int]) -> str | None:
    """The role a person gets without being asked: admin for ADMIN_TELEGRAM_IDS, else None."""
    return Role.ADMIN if telegram_user_id in admin_telegram_ids else None


def role_for(telegram_user_id: int, chosen: str | None, admin_telegram_ids: Collection[int]) -> str:
    """The role a new user gets: admin for configured admin ids, else the one they chose."""
    # Admins are the Telegram ids in ADMIN_TELEGRAM_IDS: they are never asked, and nobody else
    # can pick "admin" (a forged button is refused here too).
    if telegram_user_id in admin_telegram_ids:
        return Role.ADMIN
    if chosen not in SELF_CHOSEN_ROLES:
        raise NotAllowed(f"role {chosen!r} cannot be chosen at sign-up")
    return chosen


def check_age(role: str, born: date, today: date) -> None:
    """Refuse athletes too young to sign up alone, and parents, coaches or mentors under 18."""
    age = age_on(born, today)
    if role == Role.ATHLETE and age < MIN_AGE_TO_SIGN_UP_ALONE:
        raise NeedsGuardian(age=MIN_AGE_TO_SIGN_UP_ALONE)
    if role in (Role.PARENT, Role.COACH, Role.MENTOR) and age < ADULT_AGE:
        raise InvalidAnswer("profile.hint.birth_adult", age=ADULT_AGE)


async def check_email_free(uow: UnitOfWork, email: str) -> None:
    """Raise InvalidAnswer if another user already gave this email."""
    async with uow as tx:
        taken = await queries.email_taken(tx, email, by_other_than=None)
    if taken:
        raise EmailTaken()


async def register(
    uow: UnitOfWork,
    *,
    registration: Registration,
    box: SecretBox,
    admin_telegram_ids: Collection[int],
    now: datetime,
) -> User:
    """Create the user (and athlete profile) from a finished guided profile, in one transaction."""
    require_private_chat(
        telegram_user_id=registration.telegram_user_id, chat_id=registration.chat_id
    )
    role = role_for(registration.telegram_user_id, registration.role, admin_telegram_ids)
    check_age(role, registration.born, now.date())
    try:
        return await _save_registration(uow, registration, role, box, now)
    except AlreadyExists as err:
        if "email" in err.detail:  # taken between the question and the end of the flow
            raise EmailTaken() from None
        raise


async def _save_registration(
    uow: UnitOfWork, registration: Registration, role: str, box: SecretBox, now: datetime
) -> User:
    async with uow as tx:
        if await tx.users.by_telegram_id(registration.telegram_user_id) is not None:
            raise AlreadyExists("user already registered")
        user = tx.users.add(_new_user(registration, role, box, now))
        await tx.flush()
        if role == Role.ATHLETE and registration.athlete is not None:
            tx.athletes.add(_new_athlete(user.id, registration.athlete, box))
        if role == Role.ADMIN:  # ADMIN_TELEGRAM_IDS seeds the admins; `admins` is the truth
            tx.admins.add(Admin(user_id=user.id))
        tx.audit.record(
            actor_id=user.id,
            action="user.registered",
            entity="user",
            entity_id=user.id,
            details={"role": role},
        )
        await tx.commit()
    return user


def _new_user(registration: Registration, role: str, box: SecretBox, now: datetime) -> User:
    return User(
        role=role,
        first_name=registration.name.first,
        last_name=registration.name.last,
        phone_number=box.encrypt(registration.phone) if registration.phone else None,
        phone_number_index=phone_index(registration.phone, box) if registration.phone else None,
        email=registration.email,
        date_of_birth_encrypted=box.encrypt_date(registration.born),
        timezone=registration.timezone,
        units=registration.units,
        language_code=registration.language_code,
        telegram_user_id=registration.telegram_user_id,
        telegram_chat_id=registration.chat_id,
        telegram_username=registration.username,
        onboarded_at=now,
        last_login_at=now,
    )


def _new_athlete(user_id: uuid.UUID, answers: AthleteAnswers, box: SecretBox) -> Athlete:
    emergency = answers.emergency
    return Athlete(
        user_id=user_id,
        primary_sport=answers.sport,
        position=answers.position,
        height_cm=answers.height_cm,
        weight_kg=answers.weight_kg,
        dominant_hand=answers.dominant_hand,
        emergency_contact_name=box.encrypt(emergency.name) if emergency else None,
        emergency_contact_phone=box.encrypt(emergency.phone) if emergency else None,
        medical_conditions=box.encrypt(answers.medical_notes) if answers.medical_notes else None,
    )


async def touch(
    uow: UnitOfWork,
    *,
    telegram_user_id: int,
    chat_id: int,
    language_code: str | None,
    now: datetime,
    username: str | None = None,
) -> User | None:
    """Note that a known user wrote: chat id, language, @username, last login; lifts 'blocked'."""
    require_private_chat(telegram_user_id=telegram_user_id, chat_id=chat_id)
    async with uow as tx:
        user = await tx.users.by_telegram_id(telegram_user_id)
        if user is None:
            return None
        user.telegram_chat_id = chat_id
        user.language_code = language_code or user.language_code
        user.last_login_at = now
        user.telegram_username = username
        if user.status == UserStatus.BLOCKED:  # they wrote to us, so we can write to them again
            user.status = UserStatus.ACTIVE
        await tx.commit()
    return user


async def profile_view(
    uow: UnitOfWork,
    *,
    actor: Actor,
    box: SecretBox,
    user_id: uuid.UUID | None = None,
    athlete_id: uuid.UUID | None = None,
) -> ProfileView:
    """A user's or athlete's profile as `actor` may see it; NotAllowed if they may not."""
    async with uow as tx:
        user, athlete = await load_profile(tx, user_id, athlete_id)
        view = view_for(tx, actor, user, athlete, box)
        await tx.commit()  # the audit entry of a sensitive read
    return view


async def viewed_profile(
    uow: UnitOfWork,
    *,
    telegram_user_id: int,
    box: SecretBox,
    athlete_id: uuid.UUID | None = None,
) -> ProfileView:
    """The asker's own profile, or an athlete's they may view; NotFound if not signed up."""
    async with uow as tx:
        me = await tx.users.by_telegram_id(telegram_user_id)
        if me is None:
            raise NotFound("user")
        actor = await actor_for_user(tx, me)
        if athlete_id is None:
            user, athlete = me, await queries.athlete_of_user(tx, me.id)
        else:
            user, athlete = await load_profile(tx, None, athlete_id)
        view = view_for(tx, actor, user, athlete, box)
        await tx.commit()
    return view


async def update_field(
    uow: UnitOfWork,
    *,
    telegram_user_id: int,
    user_id: uuid.UUID,
    field: ProfileField,
    answer: str,
    box: SecretBox,
    today: date,
) -> ProfileView:
    """Validate and save one profile field, if the asker may edit that profile."""
    async with uow as tx:
        actor, user, athlete = await _editable(tx, telegram_user_id, user_id)
        if field.value == "email" and await _email_taken(tx, answer, user.id):
            raise EmailTaken()
        apply_answer(field, answer, user=user, athlete=athlete, box=box, today=today)
        tx.audit.record(
            actor_id=actor.user_id,
            action="profile.updated",
            entity="user",
            entity_id=user.id,
            details={"field": field.value},  # never the value: it may be sensitive
        )
        view = view_for(tx, actor, user, athlete, box)
        await tx.commit()
    return view


async def check_may_edit(
    uow: UnitOfWork,
    *,
    telegram_user_id: int,
    user_id: uuid.UUID,
) -> None:
    """Raise NotAllowed (or NotFound) unless the asker may edit this user's profile."""
    async with uow as tx:
        await _editable(tx, telegram_user_id, user_id)


async def _editable(
    tx: Transaction, telegram_user_id: int, user_id: uuid.UUID
) -> tuple[Actor, User, Athlete | None]:
    me = await tx.users.by_telegram_id(telegram_user_id)
    if me is None:
        raise NotAllowed("not signed up")
    actor = await actor_for_user(tx, me)
    user, athlete = await load_profile(tx, user_id, None)
    if not may_any(actor, Action.EDIT_PROFILE, user, athlete):
        raise NotAllowed("not allowed: edit_profile", action=Action.EDIT_PROFILE.value)
    return actor, user, athlete


async def _email_taken(tx: Transaction, answer: str, user_id: uuid.UUID) -> bool:
    return await queries.email_taken(tx, answer.strip(), ignoring_case=True, by_other_than=user_id)

"""Parents and their children: adding a child, listing them, acting for one, who hears about one.

A child without Telegram is a `users` row (role athlete, no Telegram account) with an
`athletes` row whose `parent_id` is the first guardian; further guardians are `athlete_links`.
The small input validators below stand in until `domain/people/profile_input.py` (onboarding) offers
shared ones for names, dates of birth and sports.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Annotated

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
)

from domain import policy
from domain.errors import InvalidInput
from domain.models import Athlete, Role, User
from domain.people import queries
from domain.policy import Action, Actor, AthleteTarget, UserTarget
from domain.secrets_box import SecretBox
from domain.uow import Transaction, UnitOfWork

MIN_CHILD_AGE, MAX_CHILD_AGE = 3, 17
DATE_FORMATS = ("%Y-%m-%d", "%d.%m.%Y", "%d/%m/%Y")
# Offered as buttons; any other sport can be typed.
_NAME = re.compile(r"[^\W\d_]+(?:[ '.\-][^\W\d_]+)*")


class ChildInputError(InvalidInput):
    """An answer in the add-a-child flow the parent can fix; the key names the hint."""

    def __init__(self, message_key: str) -> None:
        super().__init__(message_key)
        self.message_key = message_key


def _is_name(text: str) -> str:
    if not _NAME.fullmatch(text):
        raise ValueError("not a name")
    return text


def _child_age(born: date, info: ValidationInfo) -> date:
    today = (info.context or {}).get("today") or datetime.now(UTC).date()
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if not MIN_CHILD_AGE <= age <= MAX_CHILD_AGE:
        raise ValueError("a child is 3 to 17 years old")
    return born


Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_is_name),
]
ChildBirthDate = Annotated[date, AfterValidator(_child_age)]
Sport = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=50)]
MedicalNotes = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)
]


class ChildInput(BaseModel):
    """Everything a parent tells about a new child, validated."""

    model_config = ConfigDict(frozen=True)

    first_name: Name
    last_name: Annotated[str, Field(max_length=100)] = ""
    date_of_birth: ChildBirthDate
    sport: Sport
    medical_notes: MedicalNotes | None = None


@dataclass(frozen=True)
class Child:
    """A child as their guardians see them in the family list."""

    athlete_id: uuid.UUID
    first_name: str
    sport: str
    has_telegram: bool


def parse_name(text: str) -> tuple[str, str]:
    """First and last name from "Mia Lopez"; ChildInputError if it is not a name."""
    first, _, last = " ".join(text.split()).partition(" ")
    try:
        adapter = TypeAdapter(Name)
        return adapter.validate_python(first), adapter.validate_python(last) if last else ""
    except ValidationError:
        raise ChildInputError("family.hint_name") from None


def parse_birth_date(text: str, *, today: date | None = None) -> date:
    """A child's date of birth in one of DATE_FORMATS, aged 3 to 17 on `today`."""
    for form in DATE_FORMATS:
        try:
            born = datetime.strptime(text.strip(), form).date()
        except ValueError:
            continue
        try:
            return TypeAdapter(ChildBirthDate).validate_python(born, context={"today": today})
        except ValidationError:
            raise ChildInputError("family.hint_age") from None
    raise ChildInputError("family.hint_date")


def parse_sport(text: str) -> str:
    """A sport typed freely (2 to 50 characters)."""
    try:
        return TypeAdapter(Sport).validate_python(text)
    except ValidationError:
        raise ChildInputError("family.hint_sport") from None


def parse_medical_notes(text: str) -> str:
    """Medical notes (up to 1000 characters)."""
    try:
        return TypeAdapter(MedicalNotes).validate_python(text)
    except ValidationError:
        raise ChildInputError("family.hint_medical") from None


def may_manage_children(actor: Actor | None) -> bool:
    """Whether this person may add children and invite people to their family."""
    return actor is not None and policy.may(
        actor, Action.MANAGE_CHILDREN, UserTarget(actor.user_id)
    )


async def add_child(uow: UnitOfWork, *, actor: Actor, child: ChildInput, box: SecretBox) -> Child:
    """Create a child's user and athlete profile under this parent, sensitive fields encrypted."""
    policy.require(actor, Action.MANAGE_CHILDREN, UserTarget(actor.user_id))
    async with uow as tx:
        user = tx.users.add(
            User(
                role=Role.ATHLETE,
                first_name=child.first_name,
                last_name=child.last_name,
                date_of_birth_encrypted=box.encrypt_date(child.date_of_birth),
                # The parent completed the profile: a child who links Telegram later is not
                # taken through onboarding again.
                onboarded_at=datetime.now(UTC),
            )
        )
        await tx.flush()
        notes = box.encrypt(child.medical_notes) if child.medical_notes else None
        athlete = tx.athletes.add(
            Athlete(
                user_id=user.id,
                parent_id=actor.user_id,
                primary_sport=child.sport,
                medical_conditions=notes,
            )
        )
        await tx.flush()
        tx.audit.record(
            actor_id=actor.user_id, action="child.added", entity="athlete", entity_id=athlete.id
        )
        await tx.commit()
    return Child(athlete.id, user.first_name, athlete.primary_sport, has_telegram=False)


async def children_of(uow: UnitOfWork, *, actor: Actor) -> list[Child]:
    """The children this actor guards (as first guardian or linked), oldest entry first."""
    guarded = [
        athlete_id
        for athlete_id in actor.guarded_athlete_ids
        if policy.may(actor, Action.ACT_FOR_ATHLETE, AthleteTarget(athlete_id))
    ]
    if not guarded:
        return []
    async with uow as tx:
        rows = await queries.athletes_with_users(tx, guarded)
        return [_child(athlete, user) for athlete, user in rows]


async def acting_for(tx: Transaction, actor: Actor, athlete_id: uuid.UUID) -> Athlete:
    """The athlete the actor acts for, re-checked; inside an open transaction."""
    policy.require(actor, Action.ACT_FOR_ATHLETE, AthleteTarget(athlete_id))
    return await tx.athletes.get(athlete_id)


async def choose_child(uow: UnitOfWork, *, actor: Actor, athlete_id: uuid.UUID) -> Child:
    """The child a parent switches to, after checking they may act for them."""
    async with uow as tx:
        athlete = await acting_for(tx, actor, athlete_id)
        user = await tx.users.get(athlete.user_id) if athlete.user_id else None
        if user is None:
            raise InvalidInput("athlete without a user")
        return _child(athlete, user)


async def people_to_notify(tx: Transaction, athlete_id: uuid.UUID) -> list[User]:
    """Who hears about an athlete (`queries.audience_ids`): the athlete first, then the parent."""
    athlete = await tx.athletes.get(athlete_id)
    users = await queries.audience_of(tx, athlete_id)
    by_id = {user.id: user for user in users}
    child = by_id.pop(athlete.user_id, None) if athlete.user_id else None
    first = by_id.pop(athlete.parent_id, None) if athlete.parent_id else None
    ordered = [child, first, *by_id.values()]
    return [user for user in ordered if user is not None]


def _child(athlete: Athlete, user: User) -> Child:
    return Child(
        athlete.id, user.first_name, athlete.primary_sport, user.telegram_user_id is not None
    )

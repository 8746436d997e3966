"""A profile as one actor may see it: public fields always, sensitive ones under policy."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from typing import TypeVar

from domain.errors import NotAllowed, NotFound
from domain.models import Athlete, User
from domain.people import queries
from domain.policy import Action, Actor, AthleteTarget, UserTarget, may
from domain.secrets_box import SecretBox, UndecryptableField
from domain.uow import Transaction

V = TypeVar("V")


@dataclass(frozen=True)
class ProfileView:
    """A profile as one actor may see it; sensitive fields are None unless they may see them."""

    user_id: uuid.UUID
    athlete_id: uuid.UUID | None
    role: str
    first_name: str
    last_name: str
    phone: str | None
    email: str | None
    timezone: str
    units: str
    sport: str | None = None
    position: str | None = None
    height_cm: int | None = None
    weight_kg: Decimal | None = None
    dominant_hand: str | None = None
    sensitive_shown: bool = False
    editable: bool = False
    born: date | None = None
    emergency_name: str | None = None
    emergency_phone: str | None = None
    medical_notes: str | None = None


def may_any(actor: Actor, action: Action, user: User, athlete: Athlete | None) -> bool:
    """Whether the actor may do `action` to the user's account or their athlete profile."""
    targets: list[UserTarget | AthleteTarget] = [UserTarget(user.id)]
    if athlete is not None:
        targets.append(AthleteTarget(athlete.id))
    return any(may(actor, action, target) for target in targets)


def view_for(
    tx: Transaction, actor: Actor, user: User, athlete: Athlete | None, box: SecretBox
) -> ProfileView:
    """The profile as `actor` may see it (NotAllowed if not); audits a sensitive read."""
    if not may_any(actor, Action.VIEW_PROFILE, user, athlete):
        raise NotAllowed("not allowed: view_profile", action=Action.VIEW_PROFILE.value)
    view = _public_view(user, athlete, editable=may_any(actor, Action.EDIT_PROFILE, user, athlete))
    if not may_any(actor, Action.VIEW_SENSITIVE, user, athlete):
        return view
    tx.audit.record(
        actor_id=actor.user_id,
        action="profile.sensitive_viewed",
        entity="user",
        entity_id=user.id,
        details={"athlete_id": str(athlete.id) if athlete else None},
    )
    return _with_sensitive(view, user, athlete, box)


def _public_view(user: User, athlete: Athlete | None, *, editable: bool) -> ProfileView:
    return ProfileView(
        user_id=user.id,
        athlete_id=athlete.id if athlete else None,
        role=user.role,
        first_name=user.first_name,
        last_name=user.last_name or "",
        phone=user.phone_number,
        email=user.email,
        timezone=user.timezone,
        units=user.units,
        sport=athlete.primary_sport if athlete else None,
        position=athlete.position if athlete else None,
        height_cm=athlete.height_cm if athlete else None,
        weight_kg=athlete.weight_kg if athlete else None,
        dominant_hand=athlete.dominant_hand if athlete else None,
        editable=editable,
    )


def _with_sensitive(
    view: ProfileView, user: User, athlete: Athlete | None, box: SecretBox
) -> ProfileView:
    born = _opened(box.decrypt_date, user.date_of_birth_encrypted)
    if athlete is None:
        return replace(view, sensitive_shown=True, born=born)
    return replace(
        view,
        sensitive_shown=True,
        born=born,
        emergency_name=_opened(box.decrypt, athlete.emergency_contact_name),
        emergency_phone=_opened(box.decrypt, athlete.emergency_contact_phone),
        medical_notes=_opened(box.decrypt, athlete.medical_conditions),
    )


def _opened(decrypt: Callable[[str], V], token: str | None) -> V | None:
    if token is None:
        return None
    try:
        return decrypt(token)
    except UndecryptableField:
        # One unreadable value must not hide the whole profile; the start-up key check
        # (bot.keycheck) catches the usual cause, a wrong DATA_ENCRYPTION_KEY.
        return None


async def load_profile(
    tx: Transaction, user_id: uuid.UUID | None, athlete_id: uuid.UUID | None
) -> tuple[User, Athlete | None]:
    """A user and their athlete profile, found by either id; NotFound if missing."""
    if athlete_id is not None:
        athlete = await tx.athletes.get(athlete_id)
        if athlete.user_id is None:
            raise NotFound("athlete without a user row")
        return await tx.users.get(athlete.user_id), athlete
    if user_id is None:
        raise NotFound("no user or athlete given")
    return await tx.users.get(user_id), await queries.athlete_of_user(tx, user_id)

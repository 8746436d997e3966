"""Every SQL statement of the people capability: names, zones and units, family and who hears
about an athlete, invitations, emails, and rows with encrypted fields."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from typing import Any

from sqlalchemy import (
    BindParameter,
    ColumnElement,
    CompoundSelect,
    Row,
    any_,
    func,
    or_,
    select,
    union,
)
from sqlalchemy.orm import InstrumentedAttribute

from domain.models import (
    Athlete,
    AthleteLink,
    Invitation,
    LinkRelation,
    MentorRequest,
    MentorRequestStatus,
    User,
)
from domain.uow import Transaction


async def first_names(tx: Transaction, athlete_ids: Collection[uuid.UUID]) -> dict[uuid.UUID, str]:
    """Each athlete's first name, by athlete id."""
    rows = await tx.session.execute(
        select(Athlete.id, User.first_name)
        .join(User, User.id == Athlete.user_id)
        .where(Athlete.id.in_(athlete_ids))
    )
    return {athlete_id: name for athlete_id, name in rows}


async def full_names(
    tx: Transaction, athlete_ids: Collection[uuid.UUID]
) -> list[tuple[uuid.UUID, str, str | None]]:
    """(athlete id, first name, last name) of each athlete."""
    rows = await tx.session.execute(
        select(Athlete.id, User.first_name, User.last_name)
        .join(User, User.id == Athlete.user_id)
        .where(Athlete.id.in_(athlete_ids))
    )
    return [(athlete_id, first, last) for athlete_id, first, last in rows]


async def timezone_and_units(tx: Transaction, user_id: uuid.UUID) -> tuple[str | None, str | None]:
    """A user's time zone and units (None, None for no such user)."""
    row = (
        await tx.session.execute(select(User.timezone, User.units).where(User.id == user_id))
    ).first()
    return (row.timezone, row.units) if row is not None else (None, None)


async def timezones_in_use(tx: Transaction) -> Sequence[str]:
    """Every time zone some user lives in."""
    return (await tx.session.scalars(select(User.timezone).distinct())).all()


def audience_ids(athlete_ids: Collection[uuid.UUID] | BindParameter[Any]) -> CompoundSelect:
    """Ids of who hears about these athletes: each athlete if on Telegram, parents, guardians.

    A select, so a notice can be addressed inside one INSERT ... SELECT; the ids are values or
    one array parameter (the same SQL however many athletes).
    """
    # Driven from the athletes and joined to their users on the primary key: never a pass over
    # the users table, however many people use the bot.
    on_telegram = (
        select(User.id)
        .join(Athlete, Athlete.user_id == User.id)
        .where(_among(Athlete.id, athlete_ids), User.telegram_chat_id.is_not(None))
    )
    parents = select(Athlete.parent_id).where(
        _among(Athlete.id, athlete_ids), Athlete.parent_id.is_not(None)
    )
    guardians = select(AthleteLink.user_id).where(
        _among(AthleteLink.athlete_id, athlete_ids), AthleteLink.relation == LinkRelation.GUARDIAN
    )
    return union(on_telegram, parents, guardians)


def _among(
    column: InstrumentedAttribute[uuid.UUID],
    ids: Collection[uuid.UUID] | BindParameter[Any],
) -> ColumnElement[bool]:
    return column == any_(ids) if isinstance(ids, BindParameter) else column.in_(ids)


async def audience_of(tx: Transaction, athlete_id: uuid.UUID) -> Sequence[User]:
    """The users `audience_ids` names for one athlete, in no particular order."""
    return (
        await tx.session.scalars(select(User).where(User.id.in_(audience_ids([athlete_id]))))
    ).all()


async def athlete_of_user(tx: Transaction, user_id: uuid.UUID) -> Athlete | None:
    """The athlete profile of a user, if they have one."""
    return await tx.session.scalar(select(Athlete).where(Athlete.user_id == user_id))


async def athletes_with_users(
    tx: Transaction, athlete_ids: Collection[uuid.UUID]
) -> Sequence[Row[tuple[Athlete, User]]]:
    """(athlete, user) of these athletes, oldest entry first."""
    return (
        await tx.session.execute(
            select(Athlete, User)
            .join(User, User.id == Athlete.user_id)
            .where(Athlete.id.in_(athlete_ids))
            .order_by(Athlete.created_at, Athlete.id)
        )
    ).all()


async def is_linked(tx: Transaction, athlete_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    """Whether the user is linked to the athlete (as a guardian or otherwise)."""
    link = await tx.session.scalar(
        select(AthleteLink.id).where(
            AthleteLink.athlete_id == athlete_id, AthleteLink.user_id == user_id
        )
    )
    return link is not None


async def invitation_locked(tx: Transaction, token_hash: str) -> Invitation | None:
    """The invitation with this token hash, row-locked until the transaction ends."""
    return await tx.session.scalar(
        select(Invitation).where(Invitation.token_hash == token_hash).with_for_update()
    )


async def email_taken(
    tx: Transaction, email: str, *, ignoring_case: bool = False, by_other_than: uuid.UUID | None
) -> bool:
    """Whether a user (other than `by_other_than`) gave this email."""
    column = func.lower(User.email) if ignoring_case else User.email
    query = select(func.count()).where(column == (email.lower() if ignoring_case else email))
    if by_other_than is not None:
        query = query.where(User.id != by_other_than)
    return bool(await tx.session.scalar(query))


async def rows_with_any_of(
    tx: Transaction,
    model: type[User] | type[Athlete],
    names: tuple[str, ...],
    after: object,
    size: int,
) -> list[User | Athlete]:
    """The next `size` rows (by id, after `after`) with any of these columns set, locked."""
    columns = [getattr(model, name) for name in names]
    query = select(model).where(or_(*(column.is_not(None) for column in columns)))
    if after is not None:
        query = query.where(model.id > after)
    query = query.order_by(model.id).limit(size).with_for_update()
    return list((await tx.session.scalars(query)).all())


async def names_of_user(tx: Transaction, user_id: uuid.UUID) -> tuple[str, str | None] | None:
    """A user's first and last name, None for no such user."""
    row = (
        await tx.session.execute(select(User.first_name, User.last_name).where(User.id == user_id))
    ).first()
    return (row.first_name, row.last_name) if row is not None else None


async def parent_of_athlete_user(tx: Transaction, user_id: uuid.UUID) -> uuid.UUID | None:
    """The parent's user id of the athlete who is this user, if they are one."""
    return await tx.session.scalar(select(Athlete.parent_id).where(Athlete.user_id == user_id))


async def guarded_children(tx: Transaction, guardian_id: uuid.UUID) -> list[tuple[uuid.UUID, str]]:
    """(athlete id, first name) of every child this person guards, oldest entry first."""
    linked = select(AthleteLink.athlete_id).where(
        AthleteLink.user_id == guardian_id, AthleteLink.relation == LinkRelation.GUARDIAN
    )
    rows = await tx.session.execute(
        select(Athlete.id, User.first_name)
        .join(User, User.id == Athlete.user_id)
        .where(or_(Athlete.parent_id == guardian_id, Athlete.id.in_(linked)))
        .order_by(Athlete.created_at, Athlete.id)
    )
    return [(athlete_id, name) for athlete_id, name in rows]


async def linked_athlete_ids(tx: Transaction, user_id: uuid.UUID) -> set[uuid.UUID]:
    """Every athlete this user is linked to, in any relation."""
    return set(
        await tx.session.scalars(
            select(AthleteLink.athlete_id).where(AthleteLink.user_id == user_id)
        )
    )


async def pending_mentor_request(
    tx: Transaction, mentor_id: uuid.UUID, guardian_id: uuid.UUID
) -> bool:
    """Whether this mentor already waits for this guardian's answer."""
    found = await tx.session.scalar(
        select(MentorRequest.id).where(
            MentorRequest.mentor_user_id == mentor_id,
            MentorRequest.guardian_user_id == guardian_id,
            MentorRequest.status == MentorRequestStatus.PENDING,
        )
    )
    return found is not None


async def mentor_request_locked(tx: Transaction, request_id: uuid.UUID) -> MentorRequest | None:
    """The request, locked until the transaction ends (two answers never both count)."""
    return await tx.session.get(MentorRequest, request_id, with_for_update=True)


async def mentor_link_locked(
    tx: Transaction, athlete_id: uuid.UUID, mentor_user_id: uuid.UUID
) -> AthleteLink | None:
    """The mentor's link to the athlete, locked until the transaction ends."""
    return await tx.session.scalar(
        select(AthleteLink)
        .where(
            AthleteLink.athlete_id == athlete_id,
            AthleteLink.user_id == mentor_user_id,
            AthleteLink.relation == LinkRelation.MENTOR,
        )
        .with_for_update()
    )


async def mentors_shown_videos(tx: Transaction, athlete_id: uuid.UUID) -> Sequence[User]:
    """The athlete's mentors a guardian allowed to be shown their videos."""
    return list(
        await tx.session.scalars(
            select(User)
            .join(AthleteLink, AthleteLink.user_id == User.id)
            .where(
                AthleteLink.athlete_id == athlete_id,
                AthleteLink.relation == LinkRelation.MENTOR,
                AthleteLink.video_consent.is_(True),
            )
            .order_by(AthleteLink.created_at)
        )
    )


async def mentors_of(
    tx: Transaction, athlete_id: uuid.UUID
) -> Sequence[Row[tuple[uuid.UUID, str, str | None, bool]]]:
    """(user id, first name, last name, videos allowed) of each mentor, first linked first."""
    rows = await tx.session.execute(
        select(User.id, User.first_name, User.last_name, AthleteLink.video_consent)
        .join(AthleteLink, AthleteLink.user_id == User.id)
        .where(AthleteLink.athlete_id == athlete_id, AthleteLink.relation == LinkRelation.MENTOR)
        .order_by(AthleteLink.created_at, User.id)
    )
    return rows.all()

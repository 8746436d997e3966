"""Adding children, who may act for them, and who hears about them."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select, text

from domain.actors import actor_for_user
from domain.errors import NotAllowed
from domain.models import Athlete, AthleteLink, AuditEntry, User
from domain.people import family
from domain.people.family import ChildInput, ChildInputError
from domain.policy import Actor
from domain.secrets_box import SecretBox
from domain.uow import UnitOfWork

BOX = SecretBox([b"f" * 32])
TODAY = date(2026, 6, 1)
_ids = itertools.count(70_000)


async def person(uow: UnitOfWork, role: str = "parent", *, telegram: bool = True) -> Actor:
    """A committed user of `role` and their Actor."""
    tg = next(_ids) if telegram else None
    async with uow as tx:
        user = tx.users.add(
            User(role=role, first_name="Pat", telegram_user_id=tg, telegram_chat_id=tg)
        )
        await tx.flush()
        actor = await actor_for_user(tx, user)
        await tx.commit()
    return actor


async def refreshed(uow: UnitOfWork, actor: Actor) -> Actor:
    async with uow as tx:
        return await actor_for_user(tx, await tx.users.get(actor.user_id))


def mia(**changes: object) -> ChildInput:
    fields = {
        "first_name": "Mia",
        "last_name": "Lopez",
        "date_of_birth": date(2014, 5, 1),
        "sport": "tennis",
        "medical_notes": "asthma",
    }
    return ChildInput(**(fields | changes))


async def test_a_parent_adds_a_child_with_sensitive_fields_encrypted(uow: UnitOfWork) -> None:
    parent = await person(uow)

    child = await family.add_child(uow, actor=parent, child=mia(), box=BOX)

    async with uow as tx:
        athlete = await tx.athletes.get(child.athlete_id)
        user = await tx.users.get(athlete.user_id)
        audit = (await tx.session.scalars(select(AuditEntry))).one()
        raw = (await tx.session.execute(text("SELECT * FROM athletes"))).one()._asdict()
    assert (user.role, user.telegram_user_id, athlete.parent_id) == (
        "athlete",
        None,
        parent.user_id,
    )
    assert BOX.decrypt_date(user.date_of_birth_encrypted) == date(2014, 5, 1)
    assert user.date_of_birth is None
    assert BOX.decrypt(athlete.medical_conditions) == "asthma"
    assert "asthma" not in repr(raw)
    assert (audit.action, audit.entity_id) == ("child.added", athlete.id)


@pytest.mark.parametrize("role", ["athlete", "coach", "mentor", "admin"])
async def test_only_a_parent_may_add_a_child(uow: UnitOfWork, role: str) -> None:
    someone = await person(uow, role)

    with pytest.raises(NotAllowed):
        await family.add_child(uow, actor=someone, child=mia(), box=BOX)

    async with uow as tx:
        assert await tx.session.scalar(select(func.count()).select_from(Athlete)) == 0
    assert not family.may_manage_children(someone)


@pytest.mark.parametrize("typed", ["2014-05-01", "01.05.2014", "01/05/2014", " 01.05.2014 "])
def test_a_birth_date_is_read_in_three_formats(typed: str) -> None:
    assert family.parse_birth_date(typed, today=TODAY) == date(2014, 5, 1)


@pytest.mark.parametrize(
    ("typed", "hint"),
    [
        ("May 1st", "family.hint_date"),
        ("2014-13-01", "family.hint_date"),
        ("2024-01-01", "family.hint_age"),  # two years old
        ("2008-01-01", "family.hint_age"),  # eighteen
        ("2030-01-01", "family.hint_age"),  # not born yet
    ],
)
def test_a_wrong_birth_date_gets_its_hint(typed: str, hint: str) -> None:
    with pytest.raises(ChildInputError) as refused:
        family.parse_birth_date(typed, today=TODAY)
    assert refused.value.message_key == hint


def test_ages_three_and_seventeen_are_children() -> None:
    assert family.parse_birth_date("2023-06-01", today=TODAY) == date(2023, 6, 1)
    assert family.parse_birth_date("2008-06-02", today=TODAY) == date(2008, 6, 2)


@pytest.mark.parametrize("typed", ["", "   ", "R2D2", "x" * 101, "Mia 😀"])
def test_a_name_that_is_not_a_name_is_refused(typed: str) -> None:
    with pytest.raises(ChildInputError):
        family.parse_name(typed)


def test_a_name_splits_into_first_and_last() -> None:
    assert family.parse_name("  Ana  María de la Cruz ") == ("Ana", "María de la Cruz")
    assert family.parse_name("Mia") == ("Mia", "")


async def test_children_include_linked_ones_and_not_other_families(uow: UnitOfWork) -> None:
    mum, dad, other = await person(uow), await person(uow), await person(uow)
    own = await family.add_child(uow, actor=mum, child=mia(), box=BOX)
    theirs = await family.add_child(uow, actor=dad, child=mia(first_name="Leo"), box=BOX)
    await family.add_child(uow, actor=other, child=mia(first_name="Zoe"), box=BOX)
    async with uow as tx:
        tx.session.add(
            AthleteLink(athlete_id=theirs.athlete_id, user_id=mum.user_id, relation="guardian")
        )
        await tx.commit()

    children = await family.children_of(uow, actor=await refreshed(uow, mum))

    assert {c.first_name for c in children} == {"Mia", "Leo"}
    assert {c.athlete_id for c in children} == {own.athlete_id, theirs.athlete_id}


async def test_acting_for_another_familys_child_is_refused(uow: UnitOfWork) -> None:
    mum, other = await person(uow), await person(uow)
    child = await family.add_child(uow, actor=other, child=mia(), box=BOX)

    with pytest.raises(NotAllowed):
        await family.choose_child(uow, actor=await refreshed(uow, mum), athlete_id=child.athlete_id)
    chosen = await family.choose_child(
        uow, actor=await refreshed(uow, other), athlete_id=child.athlete_id
    )
    assert chosen.first_name == "Mia"


async def test_the_child_if_on_telegram_and_every_guardian_are_notified(uow: UnitOfWork) -> None:
    mum, dad = await person(uow), await person(uow)
    child = await family.add_child(uow, actor=mum, child=mia(), box=BOX)
    async with uow as tx:
        tx.session.add(
            AthleteLink(athlete_id=child.athlete_id, user_id=dad.user_id, relation="guardian")
        )
        await tx.commit()
        without_chat = [u.id for u in await family.people_to_notify(tx, child.athlete_id)]
    async with uow as tx:
        kid = await tx.users.get((await tx.athletes.get(child.athlete_id)).user_id)
        kid.telegram_user_id = kid.telegram_chat_id = next(_ids)
        await tx.commit()
    async with uow as tx:
        with_chat = [u.id for u in await family.people_to_notify(tx, child.athlete_id)]

    assert without_chat == [mum.user_id, dad.user_id]
    assert with_chat == [kid.id, mum.user_id, dad.user_id]


def test_the_draft_model_checks_the_age_too() -> None:
    with pytest.raises(ValueError):
        mia(date_of_birth=datetime.now(UTC).date())


def test_a_parent_acts_only_for_their_own_child_and_a_stale_or_forged_choice_is_ignored() -> None:
    mia, leo, stranger = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    parent = Actor(user_id=uuid.uuid4(), role="parent", guarded_athlete_ids=frozenset({mia, leo}))
    unlinked = Actor(user_id=parent.user_id, role="parent", guarded_athlete_ids=frozenset({leo}))
    suspended = Actor(
        user_id=parent.user_id,
        role="parent",
        guarded_athlete_ids=parent.guarded_athlete_ids,
        status="suspended",
    )

    assert family.child_acted_for(parent, mia) == mia
    assert family.child_acted_for(parent, None) is None
    assert family.child_acted_for(parent, stranger) is None  # forged: another family's child
    assert family.child_acted_for(unlinked, mia) is None  # stale: Mia was unlinked since
    assert family.child_acted_for(suspended, mia) is None

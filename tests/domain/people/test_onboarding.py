"""Registering, reading and editing profiles against Postgres: one transaction, policy, audit."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import select, text

from domain.actors import load_actor
from domain.errors import NotAllowed
from domain.models import Athlete, AuditEntry, User
from domain.people import onboarding
from domain.people.onboarding import AthleteAnswers, Registration
from domain.people.phone_numbers import phone_index
from domain.people.private_chats import NotAPrivateChat
from domain.people.profile_fields import ProfileField
from domain.people.profile_input import EmergencyContact, InvalidAnswer, PersonName
from domain.secrets_box import SecretBox
from domain.uow import UnitOfWork

BOX = SecretBox([b"s" * 32])
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
_ids = itertools.count(70_000)


def athlete_registration(telegram_id: int, **changes: object) -> Registration:
    fields: dict[str, object] = dict(
        telegram_user_id=telegram_id, chat_id=telegram_id, language_code="en", role="athlete",
        name=PersonName("Ana", "Lopez"), phone="+34600123456", born=date(2000, 3, 14),
        timezone="Europe/Madrid",
        athlete=AthleteAnswers(
            sport="tennis", height_cm=170, weight_kg=Decimal("60.50"), dominant_hand="right",
            emergency=EmergencyContact("Maria Lopez", "+34600999888"), medical_notes="asthma",
        ),
    )  # fmt: skip
    return Registration(**{**fields, **changes})  # type: ignore[arg-type]


async def register(uow: UnitOfWork, registration: Registration, admins=()) -> User:
    return await onboarding.register(
        uow, registration=registration, box=BOX, admin_telegram_ids=admins, now=NOW
    )


async def child_of(uow: UnitOfWork, parent: User) -> Athlete:
    async with uow as tx:
        born = BOX.encrypt_date(date(2015, 1, 2))
        child = tx.users.add(User(role="athlete", first_name="Kid", date_of_birth_encrypted=born))
        await tx.flush()
        athlete = tx.athletes.add(Athlete(user_id=child.id, parent_id=parent.id,
                                           primary_sport="swimming",
                                           medical_conditions=BOX.encrypt("peanuts")))  # fmt: skip
        await tx.commit()
    return athlete


async def actor(uow: UnitOfWork, telegram_id: int):
    return await load_actor(uow, telegram_user_id=telegram_id)


async def test_register_saves_user_athlete_and_audit_in_one_go_with_secrets_encrypted(uow) -> None:
    telegram_id = next(_ids)
    user = await register(uow, athlete_registration(telegram_id))
    async with uow as tx:
        row = (await tx.session.execute(text(
            "SELECT u.date_of_birth_encrypted, a.medical_conditions, a.emergency_contact_name,"
            " a.emergency_contact_phone, u.onboarded_at FROM users u JOIN athletes a"
            " ON a.user_id = u.id WHERE u.id = :id"), {"id": user.id})).one()  # fmt: skip
        audit = await tx.session.scalar(select(AuditEntry).where(AuditEntry.entity_id == user.id))
    assert all(row[:4])  # each secret was given, and is stored
    assert "asthma" not in row[1] and "2000" not in row[0]
    assert BOX.decrypt_date(row[0]) == date(2000, 3, 14) and row[4] == NOW
    assert (audit.action, audit.details) == ("user.registered", {"role": "athlete"})
    assert user.phone_number_index == phone_index("600 123 456", BOX)  # found by /user


async def test_a_configured_admin_id_becomes_admin_whatever_was_chosen(uow) -> None:
    telegram_id = next(_ids)
    user = await register(uow, athlete_registration(telegram_id, role="parent", athlete=None),
                          admins={telegram_id})  # fmt: skip
    assert user.role == "admin"
    async with uow as tx:  # and an admin in the database: the setting seeds `admins`
        assert await tx.admins.find(user.id) is not None


@pytest.mark.parametrize("role", ["admin", "superuser"])
async def test_roles_that_cannot_be_chosen_are_refused(uow, role: str) -> None:
    with pytest.raises(NotAllowed):
        await register(uow, athlete_registration(next(_ids), role=role))


async def test_a_mentor_signs_up_alone_with_no_athlete_profile(uow) -> None:
    # Issue 15: mentors no longer arrive only by a guardian's invitation.
    user = await register(uow, athlete_registration(next(_ids), role="mentor", athlete=None))

    assert user.role == "mentor"


def test_a_mentor_is_an_adult() -> None:
    with pytest.raises(InvalidAnswer, match=r"birth_adult"):
        onboarding.check_age("mentor", date(2012, 1, 1), date(2026, 6, 1))


async def test_an_athlete_under_16_cannot_register_alone(uow) -> None:
    with pytest.raises(onboarding.NeedsGuardian):
        await register(uow, athlete_registration(next(_ids), born=date(2012, 1, 1)))
    async with uow as tx:
        assert await tx.session.scalar(select(User.id)) is None


async def test_registering_twice_or_with_a_taken_email_is_refused(uow) -> None:
    telegram_id = next(_ids)
    await register(uow, athlete_registration(telegram_id, email="ana@example.com"))
    with pytest.raises(onboarding.AlreadyExists):
        await register(uow, athlete_registration(telegram_id))
    with pytest.raises(onboarding.EmailTaken):
        await register(uow, athlete_registration(next(_ids), email="ana@example.com"))
    with pytest.raises(InvalidAnswer, match=r"email_taken"):
        await onboarding.check_email_free(uow, "ana@example.com")


async def test_the_athlete_sees_their_own_sensitive_fields_and_the_read_is_audited(uow) -> None:
    telegram_id = next(_ids)
    await register(uow, athlete_registration(telegram_id))
    view = await onboarding.viewed_profile(uow, telegram_user_id=telegram_id, box=BOX)
    assert (view.born, view.medical_notes, view.emergency_name) == (
        date(2000, 3, 14), "asthma", "Maria Lopez",
    )  # fmt: skip
    async with uow as tx:
        actions = set(await tx.session.scalars(select(AuditEntry.action)))
    assert "profile.sensitive_viewed" in actions


async def test_a_parent_sees_their_childs_sensitive_fields_another_parent_is_refused(uow) -> None:
    mum_id, other_id = next(_ids), next(_ids)
    mum = await register(uow, athlete_registration(mum_id, role="parent", athlete=None))
    await register(uow, athlete_registration(other_id, role="parent", athlete=None))
    child = await child_of(uow, mum)
    view = await onboarding.profile_view(uow, actor=await actor(uow, mum_id), box=BOX,
                                         athlete_id=child.id)  # fmt: skip
    assert (view.medical_notes, view.born, view.editable) == ("peanuts", date(2015, 1, 2), True)
    with pytest.raises(NotAllowed):
        await onboarding.profile_view(uow, actor=await actor(uow, other_id), box=BOX,
                                      athlete_id=child.id)  # fmt: skip


async def test_an_admin_sees_a_profile_but_not_its_sensitive_fields(uow) -> None:
    ana_id, admin_id = next(_ids), next(_ids)
    ana = await register(uow, athlete_registration(ana_id))
    await register(uow, athlete_registration(admin_id, athlete=None), admins={admin_id})
    view = await onboarding.profile_view(uow, actor=await actor(uow, admin_id), box=BOX,
                                         user_id=ana.id)  # fmt: skip
    assert view.first_name == "Ana" and not view.sensitive_shown
    assert (view.born, view.medical_notes, view.emergency_phone) == (None, None, None)


async def test_one_field_is_updated_validated_encrypted_and_audited(uow) -> None:
    telegram_id = next(_ids)
    user = await register(uow, athlete_registration(telegram_id))
    edit = dict(telegram_user_id=telegram_id, user_id=user.id, box=BOX,
                today=NOW.date())  # fmt: skip
    view = await onboarding.update_field(uow, field=ProfileField.MEDICAL, answer="knee", **edit)
    assert view.medical_notes == "knee"
    view = await onboarding.update_field(uow, field=ProfileField.HEIGHT, answer="6'", **edit)
    assert (view.height_cm, view.units) == (183, "imperial")
    with pytest.raises(InvalidAnswer, match=r"profile\.hint\.email"):
        await onboarding.update_field(uow, field=ProfileField.EMAIL, answer="nope", **edit)
    async with uow as tx:
        stored = await tx.session.scalar(select(Athlete.medical_conditions))
        fields = list(await tx.session.scalars(
            select(AuditEntry.details["field"].astext).where(AuditEntry.action == "profile.updated")
        ))  # fmt: skip
    assert BOX.decrypt(stored) == "knee" and sorted(fields) == ["height", "medical"]


async def test_nobody_edits_someone_elses_profile(uow) -> None:
    ana_id, ben_id = next(_ids), next(_ids)
    ana = await register(uow, athlete_registration(ana_id))
    await register(uow, athlete_registration(ben_id))
    with pytest.raises(NotAllowed):
        await onboarding.check_may_edit(uow, telegram_user_id=ben_id, user_id=ana.id)  # fmt: skip


async def test_touch_refreshes_chat_and_language_and_lifts_blocked(uow) -> None:
    telegram_id = next(_ids)
    user = await register(uow, athlete_registration(telegram_id))
    async with uow as tx:
        stored = await tx.users.get(user.id)
        stored.status, stored.telegram_chat_id = "blocked", None
        await tx.commit()
    touched = await onboarding.touch(uow, telegram_user_id=telegram_id, chat_id=telegram_id,
                                     language_code="es", now=NOW)  # fmt: skip
    assert touched is not None
    assert (touched.status, touched.telegram_chat_id, touched.language_code) == (
        "active", telegram_id, "es"
    )  # fmt: skip
    assert await onboarding.touch(uow, telegram_user_id=1, chat_id=1, language_code=None,
                                  now=NOW) is None  # fmt: skip


async def test_an_account_is_never_bound_to_a_group_chat(uow) -> None:
    telegram_id, group_chat = next(_ids), -100_123
    with pytest.raises(NotAPrivateChat):
        await register(uow, athlete_registration(telegram_id, chat_id=group_chat))
    async with uow as tx:
        assert await tx.users.by_telegram_id(telegram_id) is None
    user = await register(uow, athlete_registration(telegram_id))
    with pytest.raises(NotAPrivateChat):
        await onboarding.touch(uow, telegram_user_id=telegram_id, chat_id=group_chat,
                               language_code="es", now=NOW)  # fmt: skip
    async with uow as tx:
        stored = await tx.users.get(user.id)
        assert (stored.telegram_chat_id, stored.language_code) == (telegram_id, "en")

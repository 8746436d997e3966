"""Coach profiles and verification: parsing, the catalogue, documents, approve and reject."""

from __future__ import annotations

import itertools
from decimal import Decimal

import pytest
from sqlalchemy import select

from domain.actors import actor_for_user
from domain.adapters.storage import MediaStorage
from domain.coaching import queries as coaching_queries
from domain.coaching import specializations
from domain.coaching import verification as coaching
from domain.coaching.certifications import NotADocument, add_certification, sniff
from domain.coaching.profile import (
    BadBio,
    BadCurrency,
    BadRate,
    BadYears,
    CoachProfileInput,
    Rate,
    parse_bio,
    parse_currency,
    parse_rate,
    parse_years,
)
from domain.errors import InvalidInput, NotAllowed
from domain.models import Admin, AuditEntry, Coach, User
from domain.policy import Actor
from domain.uow import UnitOfWork
from tests.factories import tiny_png

PDF = b"%PDF-1.7\n% certificate\n" + b"x" * 2048
_ids = itertools.count(70_000)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("40", Rate(Decimal("40.00"), None)),
        ("40 EUR", Rate(Decimal("40.00"), "EUR")),
        ("€40", Rate(Decimal("40.00"), "EUR")),
        ("25.50 USD", Rate(Decimal("25.50"), "USD")),
        ("usd 25,5", Rate(Decimal("25.50"), "USD")),
        ("£ 30", Rate(Decimal("30.00"), "GBP")),
        ("9999.99 chf", Rate(Decimal("9999.99"), "CHF")),
    ],
)
def test_rates_are_read_in_the_common_ways_coaches_type_them(typed: str, expected: Rate) -> None:
    assert parse_rate(typed) == expected


@pytest.mark.parametrize(
    "typed", ["0", "10000", "-5", "forty", "40 EUR USD", "€40 EUR", "40.555", "40 XYZ", ""]
)
def test_rates_out_of_range_or_unreadable_are_refused(typed: str) -> None:
    with pytest.raises((BadRate, BadCurrency)):
        parse_rate(typed)


def test_currencies_are_iso_codes_or_symbols() -> None:
    assert parse_currency(" gbp ") == "GBP"
    assert parse_currency("$") == "USD"
    with pytest.raises(BadCurrency):
        parse_currency("EUX")


def test_years_and_bio_are_checked_against_their_ranges() -> None:
    assert parse_years(" 0 ") == 0
    assert parse_years("70") == 70
    for bad in ("71", "-1", "five", "2.5"):
        with pytest.raises(BadYears):
            parse_years(bad)
    assert parse_bio("  Ten chars!  ") == "Ten chars!"
    for bad in ("short", "x" * 1001):
        with pytest.raises(BadBio):
            parse_bio(bad)


def test_custom_specializations_are_normalised_and_deduplicated() -> None:
    typed = specializations.parse_custom("  Long   Jump, long jump; MARTIAL arts\nSprint ")
    assert specializations.merged(["sprint"], typed) == ["sprint", "long jump", "martial_arts"]


@pytest.mark.parametrize("bad", ["x", "a" * 41, "drop table;--", "<b>", " , ; "])
def test_odd_custom_specializations_are_refused(bad: str) -> None:
    with pytest.raises(specializations.BadSpecialization):
        specializations.parse_custom(bad)


def test_a_profile_holds_a_limited_number_of_specializations() -> None:
    many = [f"skill {i:02}" for i in range(specializations.MAX_SPECIALIZATIONS)]
    with pytest.raises(specializations.TooManySpecializations):
        specializations.toggled(many, "tennis")
    assert specializations.toggled(["tennis", "sprint"], "tennis") == ["sprint"]


def test_the_catalogue_ids_fit_in_callback_data_and_are_unique() -> None:
    ids = [spec.id for spec in specializations.CATALOGUE]
    assert len(ids) == len(set(ids))
    assert all(":" not in spec_id and len(spec_id) <= 20 for spec_id in ids)


def test_document_types_come_from_magic_bytes() -> None:
    assert sniff(PDF) == "application/pdf"
    assert sniff(tiny_png()) == "image/png"
    assert sniff(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    assert sniff(b"MZ\x90\x00 a windows program") is None


async def _person(uow: UnitOfWork, role: str, name: str) -> Actor:
    async with uow as tx:
        user = tx.users.add(User(role=role, first_name=name, telegram_user_id=next(_ids)))
        await tx.flush()
        if role == "admin":
            tx.admins.add(Admin(user_id=user.id))
            await tx.flush()
        actor = await actor_for_user(tx, user)
        await tx.commit()
    return actor


def _profile(**changes: object) -> CoachProfileInput:
    fields = {
        "specializations": ["tennis", "sprint"],
        "years_experience": 6,
        "hourly_rate": Decimal("45"),
        "currency": "EUR",
        "bio": "Former club player, I coach juniors.",
    }
    return CoachProfileInput.checked(**{**fields, **changes})


async def _submitted_coach(uow: UnitOfWork, storage: MediaStorage) -> Actor:
    coach = await _person(uow, "coach", "Cora")
    await coaching.save_profile(uow, actor=coach, profile=_profile())
    await add_certification(
        uow, storage, actor=coach, filename="c.pdf", content_type="application/pdf", source=PDF
    )
    await coaching.submit_for_verification(uow, actor=coach)
    async with uow as tx:
        return await actor_for_user(tx, await tx.users.get(coach.user_id))


async def test_only_coaches_have_a_coach_profile(uow: UnitOfWork) -> None:
    athlete = await _person(uow, "athlete", "Ari")
    with pytest.raises(coaching.NotACoach):
        await coaching.save_profile(uow, actor=athlete, profile=_profile())


def test_an_incomplete_profile_is_refused_as_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        _profile(years_experience=71)


async def test_a_renamed_program_is_not_accepted_as_a_certificate(uow, services) -> None:
    coach = await _person(uow, "coach", "Cora")
    await coaching.save_profile(uow, actor=coach, profile=_profile())
    with pytest.raises(NotADocument):
        await add_certification(
            uow,
            services.storage,
            actor=coach,
            filename="diploma.pdf",
            content_type="application/pdf",
            source=b"MZ\x90\x00" + b"\x00" * 100,
        )
    async with uow as tx:
        assert coaching.documents_of(await coaching_queries.coach_of_user(tx, coach.user_id)) == []


async def test_documents_of_one_name_in_different_folders_are_both_kept(uow, services) -> None:
    coach = await _person(uow, "coach", "Cora")
    await coaching.save_profile(uow, actor=coach, profile=_profile())
    uploads = {"2019/diploma.pdf": PDF + b"2019", "2023/diploma.pdf": PDF + b"2023"}
    for name, content in uploads.items():
        await add_certification(
            uow,
            services.storage,
            actor=coach,
            filename=name,
            content_type="application/pdf",
            source=content,
        )
    async with uow as tx:
        documents = coaching.documents_of(await coaching_queries.coach_of_user(tx, coach.user_id))
    keys = [document["key"] for document in documents]
    assert len(set(keys)) == 2
    assert [await services.storage.read_bytes(key) for key in keys] == list(uploads.values())
    assert [document["name"] for document in documents] == list(uploads)


async def test_invisible_characters_are_stripped_from_a_documents_name(uow, services) -> None:
    coach = await _person(uow, "coach", "Cora")
    await coaching.save_profile(uow, actor=coach, profile=_profile())
    document = await add_certification(
        uow,
        services.storage,
        actor=coach,
        filename="cert\u202efdp.exe\u200b\u2066\u200f\x07",
        content_type="application/pdf",
        source=PDF,
    )
    assert document["name"] == "certfdp.exe"


async def test_submitting_needs_a_document(uow: UnitOfWork) -> None:
    coach = await _person(uow, "coach", "Cora")
    await coaching.save_profile(uow, actor=coach, profile=_profile())
    with pytest.raises(coaching.ProfileIncomplete):
        await coaching.submit_for_verification(uow, actor=coach)


async def test_a_submitted_coach_is_pending_and_not_bookable(uow, services) -> None:
    coach = await _submitted_coach(uow, services.storage)
    admin = await _person(uow, "admin", "Ada")
    pending = await coaching.pending(uow, admin=admin)
    assert [review.coach_id for review in pending] == [coach.coach_id]
    assert pending[0].documents[0]["mime"] == "application/pdf"
    async with uow as tx:
        assert not coaching.is_bookable(await tx.users.get(coach.user_id))


async def test_approval_verifies_once_and_is_audited(uow, services) -> None:
    coach = await _submitted_coach(uow, services.storage)
    admin = await _person(uow, "admin", "Ada")
    await coaching.approve(uow, admin=admin, coach_id=coach.coach_id)
    with pytest.raises(coaching.AlreadyDecided):
        await coaching.approve(uow, admin=admin, coach_id=coach.coach_id)
    with pytest.raises(coaching.AlreadyDecided):
        await coaching.reject(uow, admin=admin, coach_id=coach.coach_id, reason="too late")
    async with uow as tx:
        user = await tx.users.get(coach.user_id)
        assert coaching.is_bookable(user)
        actions = await tx.session.scalars(select(AuditEntry.action).order_by(AuditEntry.at))
        assert "coach.verified" in list(actions)
    assert await coaching.pending(uow, admin=admin) == []


@pytest.mark.parametrize(
    ("availability", "has_hours"),
    [
        (None, False),
        ({"weekly": {"mon": []}}, False),
        ({"weekly": {"mon": ["16:00-20:00"]}}, True),
        ({"exceptions": {"2026-12-24": ["10:00-12:00"]}}, True),
    ],
)
async def test_approval_says_whether_the_coach_has_hours_anyone_can_book(
    uow, services, availability, has_hours
) -> None:
    coach = await _submitted_coach(uow, services.storage)
    async with uow as tx:
        (await tx.coaches.get(coach.coach_id)).availability = availability
        await tx.commit()

    approved = await coaching.approve(
        uow, admin=await _person(uow, "admin", "Ada"), coach_id=coach.coach_id
    )

    assert approved.has_hours is has_hours


async def test_rejection_keeps_the_reason_and_allows_resubmission(uow, services) -> None:
    coach = await _submitted_coach(uow, services.storage)
    admin = await _person(uow, "admin", "Ada")
    with pytest.raises(coaching.BadReason):
        await coaching.reject(uow, admin=admin, coach_id=coach.coach_id, reason=" no ")
    rejected = await coaching.reject(
        uow, admin=admin, coach_id=coach.coach_id, reason="The  scan is unreadable"
    )
    assert rejected.note == "The scan is unreadable"
    assert await coaching.pending(uow, admin=admin) == []
    await coaching.submit_for_verification(uow, actor=coach)
    assert len(await coaching.pending(uow, admin=admin)) == 1


async def test_only_admins_decide_or_list_pending_coaches(uow, services) -> None:
    coach = await _submitted_coach(uow, services.storage)
    for who in (coach, await _person(uow, "athlete", "Eve")):
        with pytest.raises(NotAllowed):
            await coaching.approve(uow, admin=who, coach_id=coach.coach_id)
        with pytest.raises(NotAllowed):
            await coaching.reject(uow, admin=who, coach_id=coach.coach_id, reason="no reason")
        with pytest.raises(NotAllowed):
            await coaching.pending(uow, admin=who)
    async with uow as tx:
        coach_row = await tx.session.scalar(select(Coach).where(Coach.id == coach.coach_id))
        assert coach_row.verification_note is None
        assert not (await tx.users.get(coach.user_id)).verification_status


async def test_reviewers_are_the_admins_in_the_database(uow, services) -> None:
    await _person(uow, "admin", "Ada")
    await _person(uow, "athlete", "Abe")  # not an admin, whatever a setting said
    coach = await _person(uow, "coach", "Cora")
    await coaching.save_profile(uow, actor=coach, profile=_profile())
    await add_certification(
        uow, services.storage, actor=coach, filename="p.png", content_type="x", source=tiny_png()
    )
    submission = await coaching.submit_for_verification(uow, actor=coach)
    assert len(submission.reviewer_chat_ids) == 1
    assert submission.review.documents[0]["mime"] == "image/png"

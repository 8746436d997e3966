"""Invitations: stored hashed, single use, expiring; the opener becomes the child or a guardian."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select

from domain.actors import actor_for_user
from domain.errors import NotAllowed
from domain.models import AthleteLink, AuditEntry, Invitation, User
from domain.people import family, invitations
from domain.people import queries as people_queries
from domain.people.family import ChildInput
from domain.people.invitations import ChildAlreadyLinked, InvitationRefused, TelegramAccount
from domain.people.private_chats import NotAPrivateChat
from domain.policy import Actor
from domain.secrets_box import SecretBox
from domain.uow import UnitOfWork

BOX = SecretBox([b"i" * 32])
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
_ids = itertools.count(80_000)


def account(first_name: str = "Sam") -> TelegramAccount:
    tg = next(_ids)
    return TelegramAccount(tg, tg, first_name, None, "en")


async def parent_with_child(uow: UnitOfWork) -> tuple[Actor, family.Child]:
    tg = next(_ids)
    async with uow as tx:
        user = tx.users.add(
            User(role="parent", first_name="Pat", telegram_user_id=tg, telegram_chat_id=tg)
        )
        await tx.flush()
        actor = await actor_for_user(tx, user)
        await tx.commit()
    child = ChildInput(first_name="Mia", date_of_birth=date(2014, 5, 1), sport="tennis")
    added = await family.add_child(uow, actor=actor, child=child, box=BOX)
    async with uow as tx:
        actor = await actor_for_user(tx, await tx.users.get(actor.user_id))
    return actor, added


async def invite(uow: UnitOfWork, kind: str = "child") -> tuple[Actor, family.Child, str]:
    parent, child = await parent_with_child(uow)
    created = await invitations.create_invitation(
        uow, actor=parent, athlete_id=child.athlete_id, kind=kind, now=NOW
    )
    return parent, child, created.token


async def refusals(uow: UnitOfWork) -> list[AuditEntry]:
    async with uow as tx:
        query = select(AuditEntry).where(AuditEntry.action == "invitation.refused")
        return list(await tx.session.scalars(query.order_by(AuditEntry.at)))


async def test_only_the_tokens_sha256_is_stored(uow: UnitOfWork) -> None:
    _, child, token = await invite(uow)

    async with uow as tx:
        stored = (await tx.session.scalars(select(Invitation))).one()
    assert stored.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in repr(stored.__dict__)
    assert (stored.kind, stored.athlete_id, stored.expires_at) == (
        "child",
        child.athlete_id,
        NOW + timedelta(hours=72),
    )


def test_the_deep_link_payload_fits_telegrams_64_characters() -> None:
    token = invitations.new_token()
    link = invitations.deep_link("SportsCenterBot", token)
    payload = link.split("?start=", 1)[1]
    assert link.startswith("https://t.me/SportsCenterBot?start=inv-")
    assert len(payload) <= 64
    assert payload.replace("-", "").replace("_", "").isalnum()


async def test_a_child_invitation_gives_the_child_this_telegram_account(uow: UnitOfWork) -> None:
    _, child, token = await invite(uow)
    mia = account("Mia")

    accepted = await invitations.accept_invitation(uow, token=token, telegram_user=mia, now=NOW)

    async with uow as tx:
        user = await tx.users.by_telegram_id(mia.id)
        athlete = await people_queries.athlete_of_user(tx, user.id)
        stored = (await tx.session.scalars(select(Invitation))).one()
    assert athlete.id == child.athlete_id and user.telegram_chat_id == mia.chat_id
    assert (stored.used_at, stored.used_by) == (NOW, user.id)
    assert (accepted.kind, accepted.role, accepted.child_name) == ("child", "athlete", "Mia")
    assert accepted.inviter is not None


async def test_a_guardian_invitation_makes_a_newcomer_a_linked_parent(uow: UnitOfWork) -> None:
    _, child, token = await invite(uow, "guardian")
    dad = account("Dan")

    accepted = await invitations.accept_invitation(uow, token=token, telegram_user=dad, now=NOW)

    async with uow as tx:
        user = await tx.users.by_telegram_id(dad.id)
        link = (await tx.session.scalars(select(AthleteLink))).one()
        actor = await actor_for_user(tx, user)
    assert (user.role, accepted.role) == ("parent", "parent")
    assert (link.athlete_id, link.user_id, link.relation) == (child.athlete_id, user.id, "guardian")
    assert child.athlete_id in actor.guarded_athlete_ids


async def test_an_invitation_works_once(uow: UnitOfWork) -> None:
    _, _, token = await invite(uow, "guardian")
    await invitations.accept_invitation(uow, token=token, telegram_user=account(), now=NOW)

    with pytest.raises(InvitationRefused) as refused:
        await invitations.accept_invitation(uow, token=token, telegram_user=account(), now=NOW)

    assert refused.value.reason == "used"
    assert [r.details["reason"] for r in await refusals(uow)] == ["used"]


async def test_an_expired_invitation_is_refused_and_changes_nothing(uow: UnitOfWork) -> None:
    _, _, token = await invite(uow)
    late = NOW + invitations.INVITATION_TTL

    with pytest.raises(InvitationRefused) as refused:
        await invitations.accept_invitation(uow, token=token, telegram_user=account(), now=late)

    async with uow as tx:
        stored = (await tx.session.scalars(select(Invitation))).one()
    assert refused.value.reason == "expired"
    assert stored.used_at is None
    assert (await refusals(uow))[0].entity_id == stored.id


async def test_an_invitation_opened_in_a_group_links_nothing_and_stays_usable(
    uow: UnitOfWork,
) -> None:
    _, _, token = await invite(uow)
    mia = account("Mia")
    in_a_group = TelegramAccount(mia.id, -100_555, "Mia", None, "en")

    with pytest.raises(NotAPrivateChat):
        await invitations.accept_invitation(uow, token=token, telegram_user=in_a_group, now=NOW)

    async with uow as tx:
        assert await tx.users.by_telegram_id(mia.id) is None
        assert (await tx.session.scalars(select(Invitation))).one().used_at is None
    accepted = await invitations.accept_invitation(uow, token=token, telegram_user=mia, now=NOW)
    assert accepted.kind == "child"


async def test_an_unknown_token_is_refused_and_audited_without_the_token(uow: UnitOfWork) -> None:
    forged = invitations.new_token()

    with pytest.raises(InvitationRefused) as refused:
        await invitations.accept_invitation(uow, token=forged, telegram_user=account(), now=NOW)

    [entry] = await refusals(uow)
    assert refused.value.reason == "unknown"
    assert entry.details["reason"] == "unknown"
    assert forged not in repr(entry.details)


async def test_a_telegram_account_with_a_profile_cannot_become_the_child(uow: UnitOfWork) -> None:
    parent, _, token = await invite(uow)
    async with uow as tx:
        grown_up = await tx.users.get(parent.user_id)
    taken = TelegramAccount(grown_up.telegram_user_id, grown_up.telegram_user_id, "Pat")

    with pytest.raises(InvitationRefused) as refused:
        await invitations.accept_invitation(uow, token=token, telegram_user=taken, now=NOW)

    async with uow as tx:
        stored = (await tx.session.scalars(select(Invitation))).one()
    assert refused.value.reason == "account_taken"
    assert stored.used_at is None


async def test_no_child_invitation_for_a_child_with_telegram(uow: UnitOfWork) -> None:
    parent, child, token = await invite(uow)
    await invitations.accept_invitation(uow, token=token, telegram_user=account(), now=NOW)

    with pytest.raises(ChildAlreadyLinked):
        await invitations.create_invitation(
            uow, actor=parent, athlete_id=child.athlete_id, kind="child"
        )


async def test_nobody_invites_to_another_familys_child(uow: UnitOfWork) -> None:
    stranger, _ = await parent_with_child(uow)
    _, child = await parent_with_child(uow)

    with pytest.raises(NotAllowed):
        await invitations.create_invitation(
            uow, actor=stranger, athlete_id=child.athlete_id, kind="guardian"
        )


async def test_two_openers_at_once_only_one_wins(uow: UnitOfWork, session_factory) -> None:
    _, _, token = await invite(uow, "guardian")

    results = await asyncio.gather(
        *(
            invitations.accept_invitation(
                UnitOfWork(session_factory), token=token, telegram_user=account(), now=NOW
            )
            for _ in range(2)
        ),
        return_exceptions=True,
    )

    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert [r.reason for r in results if isinstance(r, InvitationRefused)] == ["used"]
    async with uow as tx:
        assert len((await tx.session.scalars(select(AthleteLink))).all()) == 1

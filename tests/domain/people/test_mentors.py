"""Mentors ask, guardians answer: the link is made only by the guardian the request went to, for
a child of theirs; the videos reach a mentor only where that guardian allowed it."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from domain.actors import actor_for_user
from domain.errors import NotAllowed, NotFound
from domain.models import AthleteLink, MentorRequest, Notification, User
from domain.people import mentor_videos, mentors
from domain.people import queries as people_queries
from domain.people.mentors import AlreadyRelated
from domain.policy import Actor
from domain.uow import UnitOfWork
from tests.domain.people.test_invitations import parent_with_child

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
_ids = itertools.count(90_000)


async def person(uow: UnitOfWork, role: str, name: str) -> Actor:
    tg = next(_ids)
    async with uow as tx:
        user = tx.users.add(
            User(role=role, first_name=name, telegram_user_id=tg, telegram_chat_id=tg)
        )
        await tx.flush()
        actor = await actor_for_user(tx, user)
        await tx.commit()
    return actor


async def telegram_id(uow: UnitOfWork, actor: Actor) -> int:
    async with uow as tx:
        tg = (await tx.users.get(actor.user_id)).telegram_user_id
    assert tg is not None
    return tg


async def notices(uow: UnitOfWork, kind: str) -> list[Notification]:
    async with uow as tx:
        return list(await tx.session.scalars(select(Notification).where(Notification.kind == kind)))


async def the_request(uow: UnitOfWork) -> MentorRequest:
    async with uow as tx:
        return (await tx.session.scalars(select(MentorRequest))).one()


async def links(uow: UnitOfWork) -> list[tuple[uuid.UUID, uuid.UUID, bool]]:
    async with uow as tx:
        rows = await tx.session.execute(
            select(AthleteLink.athlete_id, AthleteLink.user_id, AthleteLink.video_consent).where(
                AthleteLink.relation == "mentor"
            )
        )
        return [tuple(row) for row in rows]


async def test_a_mentor_asking_through_the_parents_contact_rings_the_parent_once(
    uow: UnitOfWork,
) -> None:
    parent, child = await parent_with_child(uow)
    nia = await person(uow, "mentor", "Nia")

    for _ in range(2):
        await mentors.ask_to_mentor(
            uow, actor=nia, contact_telegram_id=await telegram_id(uow, parent), now=NOW
        )

    [notice] = await notices(uow, "mentor_request")
    assert notice.recipient_id == parent.user_id
    assert notice.payload["mentor"] == "Nia"
    request = str((await the_request(uow)).id)
    for_mia = {
        "request_id": request,
        "athlete_id": str(child.athlete_id),
        "params": {"name": "Mia"},
    }
    assert notice.payload["buttons"] == [
        [
            {"label": "mentor.button.approve_videos", "button": "mentor.approve_videos", **for_mia},
            {"label": "mentor.button.approve", "button": "mentor.approve", **for_mia},
        ],
        [{"label": "mentor.button.decline", "button": "mentor.decline", "request_id": request}],
    ]
    assert await links(uow) == []  # nothing is linked before the guardian answers


async def test_only_a_mentor_may_ask(uow: UnitOfWork) -> None:
    parent, _ = await parent_with_child(uow)
    stranger = await person(uow, "parent", "Sid")

    with pytest.raises(NotAllowed):
        await mentors.ask_to_mentor(
            uow, actor=stranger, contact_telegram_id=await telegram_id(uow, parent), now=NOW
        )


async def test_a_contact_who_is_nobodys_guardian_gets_no_request(uow: UnitOfWork) -> None:
    nia = await person(uow, "mentor", "Nia")
    lone = await person(uow, "coach", "Lou")

    await mentors.ask_to_mentor(
        uow, actor=nia, contact_telegram_id=await telegram_id(uow, lone), now=NOW
    )
    await mentors.ask_to_mentor(uow, actor=nia, contact_telegram_id=123_456_789, now=NOW)

    assert await notices(uow, "mentor_request") == []


async def test_the_guardian_approving_with_videos_links_the_mentor_with_consent(
    uow: UnitOfWork,
) -> None:
    parent, child = await parent_with_child(uow)
    nia = await person(uow, "mentor", "Nia")
    await mentors.ask_to_mentor(
        uow, actor=nia, contact_telegram_id=await telegram_id(uow, parent), now=NOW
    )
    request = await the_request(uow)

    answer = await mentors.answer_request(
        uow, actor=parent, request_id=request.id, athlete_id=child.athlete_id, videos=True, now=NOW
    )

    assert (answer.outcome, answer.athlete_name, answer.videos) == ("approved", "Mia", True)
    assert await links(uow) == [(child.athlete_id, nia.user_id, True)]
    [told] = await notices(uow, "mentor_approved_videos")
    assert told.recipient_id == nia.user_id
    # A second press changes nothing.
    again = await mentors.answer_request(
        uow, actor=parent, request_id=request.id, athlete_id=child.athlete_id, videos=False, now=NOW
    )
    assert again.outcome == "approved"
    assert await links(uow) == [(child.athlete_id, nia.user_id, True)]


async def test_approving_without_videos_links_the_mentor_without_consent(
    uow: UnitOfWork,
) -> None:
    parent, child = await parent_with_child(uow)
    nia = await person(uow, "mentor", "Nia")
    await mentors.ask_to_mentor(
        uow, actor=nia, contact_telegram_id=await telegram_id(uow, parent), now=NOW
    )

    await mentors.answer_request(
        uow,
        actor=parent,
        request_id=(await the_request(uow)).id,
        athlete_id=child.athlete_id,
        videos=False,
        now=NOW,
    )

    assert await links(uow) == [(child.athlete_id, nia.user_id, False)]
    async with uow as tx:
        assert await people_queries.mentors_shown_videos(tx, child.athlete_id) == []


async def test_a_stranger_or_another_parent_cannot_approve_or_decline(uow: UnitOfWork) -> None:
    parent, child = await parent_with_child(uow)
    other_parent, other_child = await parent_with_child(uow)
    nia = await person(uow, "mentor", "Nia")
    await mentors.ask_to_mentor(
        uow, actor=nia, contact_telegram_id=await telegram_id(uow, parent), now=NOW
    )
    request = await the_request(uow)

    for actor, athlete_id in [
        (other_parent, child.athlete_id),
        (other_parent, other_child.athlete_id),
        (other_parent, None),
        (nia, child.athlete_id),
    ]:
        with pytest.raises(NotAllowed):
            await mentors.answer_request(
                uow, actor=actor, request_id=request.id, athlete_id=athlete_id, videos=True, now=NOW
            )
    # The addressed parent, naming a child who is not theirs: refused too.
    with pytest.raises(NotAllowed):
        await mentors.answer_request(
            uow,
            actor=parent,
            request_id=request.id,
            athlete_id=other_child.athlete_id,
            videos=True,
            now=NOW,
        )

    assert await links(uow) == []
    assert (await the_request(uow)).status == "pending"


async def test_a_declined_request_links_nothing_and_tells_the_mentor(uow: UnitOfWork) -> None:
    parent, _ = await parent_with_child(uow)
    nia = await person(uow, "mentor", "Nia")
    await mentors.ask_to_mentor(
        uow, actor=nia, contact_telegram_id=await telegram_id(uow, parent), now=NOW
    )

    answer = await mentors.answer_request(
        uow, actor=parent, request_id=(await the_request(uow)).id, athlete_id=None, videos=False,
        now=NOW,
    )  # fmt: skip

    assert answer.outcome == "declined"
    assert await links(uow) == []
    [told] = await notices(uow, "mentor_declined")
    assert told.recipient_id == nia.user_id


async def test_a_guardian_cannot_approve_themself_as_a_mentor_of_their_child(
    uow: UnitOfWork,
) -> None:
    parent, child = await parent_with_child(uow)
    async with uow as tx:
        tx.session.add(
            MentorRequest(mentor_user_id=parent.user_id, guardian_user_id=parent.user_id)
        )
        await tx.commit()

    with pytest.raises(AlreadyRelated):
        await mentors.answer_request(
            uow,
            actor=parent,
            request_id=(await the_request(uow)).id,
            athlete_id=child.athlete_id,
            videos=True,
            now=NOW,
        )


async def test_a_guardian_allows_and_stops_a_mentors_videos(uow: UnitOfWork) -> None:
    parent, child = await parent_with_child(uow)
    nia = await person(uow, "mentor", "Nia")
    async with uow as tx:
        tx.session.add(
            AthleteLink(athlete_id=child.athlete_id, user_id=nia.user_id, relation="mentor")
        )
        await tx.commit()

    name, listed = await mentor_videos.mentors_of_child(
        uow, actor=parent, athlete_id=child.athlete_id
    )
    assert (name, [(m.name, m.videos) for m in listed]) == ("Mia", [("Nia", False)])

    _, listed = await mentor_videos.set_video_consent(
        uow, actor=parent, athlete_id=child.athlete_id, mentor_user_id=nia.user_id, allowed=True
    )
    assert [m.videos for m in listed] == [True]
    async with uow as tx:
        assert [u.id for u in await people_queries.mentors_shown_videos(tx, child.athlete_id)] == [
            nia.user_id
        ]

    await mentor_videos.set_video_consent(
        uow, actor=parent, athlete_id=child.athlete_id, mentor_user_id=nia.user_id, allowed=False
    )
    async with uow as tx:
        assert await people_queries.mentors_shown_videos(tx, child.athlete_id) == []


async def test_only_the_childs_guardian_sets_a_mentors_videos_and_only_for_a_mentor(
    uow: UnitOfWork,
) -> None:
    parent, child = await parent_with_child(uow)
    other_parent, _ = await parent_with_child(uow)
    nia = await person(uow, "mentor", "Nia")
    async with uow as tx:
        tx.session.add(
            AthleteLink(athlete_id=child.athlete_id, user_id=nia.user_id, relation="mentor")
        )
        await tx.commit()

    for actor in (other_parent, nia):
        with pytest.raises(NotAllowed):
            await mentor_videos.set_video_consent(
                uow, actor=actor, athlete_id=child.athlete_id, mentor_user_id=nia.user_id,
                allowed=True,
            )  # fmt: skip
        with pytest.raises(NotAllowed):
            await mentor_videos.mentors_of_child(uow, actor=actor, athlete_id=child.athlete_id)
    with pytest.raises(NotFound):  # the parent is no mentor of their own child
        await mentor_videos.set_video_consent(
            uow, actor=parent, athlete_id=child.athlete_id, mentor_user_id=parent.user_id,
            allowed=True,
        )  # fmt: skip
    assert await links(uow) == [(child.athlete_id, nia.user_id, False)]

"""Teams against the database: seasons checked, joining by the family link (a parent for a
child, an adult athlete for themself), the co-coach link used once, the roster with guardians,
messages to families with Seen counted once, replies to the coach, and no names in a group."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select

from domain.actors import load_actor
from domain.clubs.teams import groups, joining, messages, queries, teams
from domain.errors import InvalidAnswer, NotAllowed
from domain.models import (
    Athlete,
    AthleteLink,
    Coach,
    Notification,
    NotificationKind,
    TeamMember,
    User,
)
from domain.policy import Actor
from domain.uow import UnitOfWork
from tests.factories import BookingWorld, booking_world

NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
TIGERS = teams.TeamDetails("U12 Tigers", "tennis", "U12", date(2026, 9, 1), date(2027, 6, 30))
_ids = itertools.count(500_001)


async def _actor(uow: UnitOfWork, user: User) -> Actor:
    assert user.telegram_user_id is not None
    found = await load_actor(uow, telegram_user_id=user.telegram_user_id)
    assert found is not None
    return found


async def _adult_athlete(uow: UnitOfWork, name: str = "Ana") -> User:
    async with uow as tx:
        user = tx.users.add(User(role="athlete", first_name=name, telegram_user_id=next(_ids)))
        await tx.flush()
        tx.athletes.add(Athlete(user_id=user.id, primary_sport="tennis"))
        await tx.commit()
    return user


async def _second_coach(uow: UnitOfWork) -> User:
    async with uow as tx:
        user = tx.users.add(
            User(
                role="coach",
                first_name="Max",
                telegram_user_id=next(_ids),
                verification_status=True,
            )
        )
        await tx.flush()
        tx.coaches.add(Coach(user_id=user.id, specializations=["tennis"]))
        await tx.commit()
    return user


@pytest.fixture
async def world(uow: UnitOfWork) -> BookingWorld:
    return await booking_world(uow, telegram_ids=_ids)


async def _team(uow: UnitOfWork, world: BookingWorld) -> uuid.UUID:
    coach = await _actor(uow, world.coach_user)
    return await teams.create_team(uow, actor=coach, details=TIGERS, now=NOW)


async def _code(uow: UnitOfWork, team_id: uuid.UUID) -> tuple[str, str]:
    async with uow as tx:
        team = await queries.team(tx, team_id)
        assert team is not None
        return team.join_code, team.coach_code


async def _notices(uow: UnitOfWork, kind: str) -> list[Notification]:
    async with uow as tx:
        query = select(Notification).where(Notification.kind == kind)
        return list(await tx.session.scalars(query))


async def _with_kim(uow: UnitOfWork, world: BookingWorld) -> tuple[uuid.UUID, str, Actor]:
    """Cora's team, its family code, and Pia, who put Kim on it."""
    team_id = await _team(uow, world)
    code, _ = await _code(uow, team_id)
    pia = await _actor(uow, world.parent)
    await joining.join_team(uow, actor=pia, code=code, athlete_id=world.child.id, now=NOW)
    return team_id, code, pia


@pytest.mark.parametrize(
    ("start", "end", "key"),
    [
        (date(2026, 9, 1), date(2026, 8, 31), "teams.error.season_order"),
        (date(2026, 9, 1), date(2028, 9, 2), "teams.error.season_too_long"),
    ],
)
async def test_a_season_ending_before_it_starts_or_longer_than_two_years_is_refused(
    uow: UnitOfWork, world: BookingWorld, start: date, end: date, key: str
) -> None:
    coach = await _actor(uow, world.coach_user)
    details = teams.TeamDetails("Tigers", "tennis", "U12", start, end)
    with pytest.raises(InvalidAnswer) as refused:
        await teams.create_team(uow, actor=coach, details=details, now=NOW)
    assert refused.value.message_key == key
    async with uow as tx:
        assert await queries.teams_of_coach(tx, world.coach.id) == []


def test_a_season_is_typed_as_two_dates_either_way_round_the_world() -> None:
    assert teams.parse_season("2026-09-01 - 2027-06-30") == (date(2026, 9, 1), date(2027, 6, 30))
    assert teams.parse_season("1.9.2026 – 30.6.2027") == (date(2026, 9, 1), date(2027, 6, 30))
    with pytest.raises(InvalidAnswer):
        teams.parse_season("next september")


async def test_a_season_of_exactly_two_years_is_allowed_by_the_code_and_the_database(
    uow: UnitOfWork, world: BookingWorld
) -> None:
    coach = await _actor(uow, world.coach_user)
    details = teams.TeamDetails("Tigers", "tennis", "U12", date(2028, 2, 29), date(2030, 2, 28))
    assert await teams.create_team(uow, actor=coach, details=details, now=NOW)


async def test_a_parent_joins_a_child_and_the_roster_shows_her_with_her_guardians(
    uow: UnitOfWork, world: BookingWorld
) -> None:
    team_id = await _team(uow, world)
    code, _ = await _code(uow, team_id)
    pia = await _actor(uow, world.parent)
    offer = await joining.open_team_link(uow, actor=pia, code=code)
    assert [(c.name, c.on_team) for c in offer.choices] == [("Kim", False)]

    joined = await joining.join_team(uow, actor=pia, code=code, athlete_id=world.child.id, now=NOW)
    again = await joining.join_team(uow, actor=pia, code=code, athlete_id=world.child.id, now=NOW)

    assert (joined.already, again.already) == (False, True)
    async with uow as tx:
        (kim,) = await queries.team_roster(tx, team_id)
    assert (kim.first_name, [g.first_name for g in kim.guardians]) == ("Kim", ["Pia"])
    (told,) = await _notices(uow, NotificationKind.TEAM_MEMBER_JOINED)
    assert told.recipient_id == world.coach_user.id
    assert told.payload["athlete"] == "Kim"


async def test_a_parent_cannot_join_someone_elses_child(
    uow: UnitOfWork, world: BookingWorld
) -> None:
    team_id = await _team(uow, world)
    code, _ = await _code(uow, team_id)
    pia = await _actor(uow, world.parent)
    with pytest.raises(NotAllowed):
        await joining.join_team(uow, actor=pia, code=code, athlete_id=world.other_child.id, now=NOW)


async def test_an_adult_athlete_joins_herself_and_a_second_guardian_is_on_the_roster(
    uow: UnitOfWork, world: BookingWorld
) -> None:
    team_id = await _team(uow, world)
    code, _ = await _code(uow, team_id)
    ana_user = await _adult_athlete(uow)
    ana = await _actor(uow, ana_user)
    assert ana.own_athlete_id is not None
    await joining.join_team(uow, actor=ana, code=code, athlete_id=ana.own_athlete_id, now=NOW)
    pia = await _actor(uow, world.parent)
    await joining.join_team(uow, actor=pia, code=code, athlete_id=world.child.id, now=NOW)
    async with uow as tx:
        tx.session.add(
            AthleteLink(
                athlete_id=world.child.id, user_id=world.other_parent.id, relation="guardian"
            )
        )
        await tx.commit()
    async with uow as tx:
        roster = await queries.team_roster(tx, team_id)
        families = await queries.family_recipients(tx, team_id)
    assert [(e.first_name, [g.first_name for g in e.guardians]) for e in roster] == [
        ("Ana", []),
        ("Kim", ["Omar", "Pia"]),
    ]
    assert set(families) == {ana_user.id, world.parent.id, world.other_parent.id}


async def test_the_co_coach_link_works_once_and_makes_an_assistant(
    uow: UnitOfWork, world: BookingWorld
) -> None:
    team_id = await _team(uow, world)
    _, coach_code = await _code(uow, team_id)
    max_actor = await _actor(uow, await _second_coach(uow))

    joined = await joining.join_as_coach(uow, actor=max_actor, code=coach_code, now=NOW)
    assert not joined.already
    with pytest.raises(InvalidAnswer) as used:
        await joining.join_as_coach(uow, actor=max_actor, code=coach_code, now=NOW)

    assert used.value.message_key == "teams.error.coach_link_used"
    async with uow as tx:
        assert max_actor.coach_id is not None
        assert await queries.is_team_coach(tx, team_id, max_actor.coach_id)
        assert [t.id for t in await queries.teams_of_coach(tx, max_actor.coach_id)] == [team_id]
    page = await teams.team_page(uow, actor=max_actor, team_id=team_id)
    assert page.managing and [role for _, role in page.coaches] == ["head", "assistant"]
    assert len(await _notices(uow, NotificationKind.TEAM_COACH_JOINED)) == 1


async def test_a_family_sees_the_team_but_not_its_roster_and_an_outsider_sees_nothing(
    uow: UnitOfWork, world: BookingWorld
) -> None:
    team_id, _, pia = await _with_kim(uow, world)

    page = await teams.team_page(uow, actor=pia, team_id=team_id)
    assert (page.managing, page.roster, page.join_code) == (False, (), None)
    assert [name for _, name in page.own_members] == ["Kim"]
    omar = await _actor(uow, world.other_parent)
    with pytest.raises(NotAllowed):
        await teams.team_page(uow, actor=omar, team_id=team_id)


async def test_a_team_message_goes_once_to_each_family_member_and_seen_counts_once(
    uow: UnitOfWork, world: BookingWorld
) -> None:
    team_id, _, pia = await _with_kim(uow, world)
    coach = await _actor(uow, world.coach_user)

    sent = await messages.send_team_message(
        uow, actor=coach, team_id=team_id, body="Bring water", to_families=True,
        to_group=False, now=NOW,
    )  # fmt: skip
    first = await messages.mark_seen(uow, actor=pia, message_id=sent.message_id, now=NOW)
    second = await messages.mark_seen(uow, actor=pia, message_id=sent.message_id, now=NOW)

    assert (sent.recipients, first, second) == (1, True, False)
    (copy,) = await _notices(uow, NotificationKind.TEAM_MESSAGE)
    assert copy.recipient_id == world.parent.id
    page = await teams.team_page(uow, actor=coach, team_id=team_id)
    assert [(m.body, m.seen, m.recipients) for m in page.messages] == [("Bring water", 1, 1)]
    omar = await _actor(uow, world.other_parent)
    with pytest.raises(NotAllowed):
        await messages.mark_seen(uow, actor=omar, message_id=sent.message_id, now=NOW)


async def test_a_familys_reply_reaches_the_coach_naming_the_sender_and_the_child(
    uow: UnitOfWork, world: BookingWorld
) -> None:
    team_id, _, pia = await _with_kim(uow, world)
    coach = await _actor(uow, world.coach_user)
    sent = await messages.send_team_message(
        uow, actor=coach, team_id=team_id, body="Practice moved to 18:00", to_families=True,
        to_group=False, now=NOW,
    )  # fmt: skip
    for _ in range(2):  # the same Telegram message twice: one reply
        await messages.reply_to_coach(
            uow, actor=pia, message_id=sent.message_id, text="Kim will be late", reference=7,
            now=NOW,
        )  # fmt: skip
    (reply,) = await _notices(uow, NotificationKind.TEAM_REPLY)
    assert reply.recipient_id == world.coach_user.id
    assert (reply.payload["sender"], reply.payload["athletes"]) == ("Pia", "Kim")


async def test_a_group_message_naming_someone_on_the_team_is_refused_before_anything_is_sent(
    uow: UnitOfWork, world: BookingWorld
) -> None:
    team_id, code, _pia = await _with_kim(uow, world)
    coach = await _actor(uow, world.coach_user)
    await groups.link_group(uow, actor=coach, code=code, chat_id=-42, now=NOW)

    with pytest.raises(InvalidAnswer) as refused:
        await messages.send_team_message(
            uow, actor=coach, team_id=team_id, body="Well played kim!", to_families=True,
            to_group=True, now=NOW,
        )  # fmt: skip

    assert (refused.value.message_key, refused.value.params["names"]) == (
        "teams.error.names_in_group",
        "Kim",
    )
    assert await _notices(uow, NotificationKind.TEAM_MESSAGE) == []


async def test_only_a_coach_of_the_team_links_a_group_and_one_group_serves_one_team(
    uow: UnitOfWork, world: BookingWorld
) -> None:
    team_id = await _team(uow, world)
    code, _ = await _code(uow, team_id)
    pia = await _actor(uow, world.parent)
    with pytest.raises(NotAllowed):
        await groups.link_group(uow, actor=pia, code=code, chat_id=-42, now=NOW)
    coach = await _actor(uow, world.coach_user)
    assert (
        await groups.link_group(uow, actor=coach, code=code, chat_id=-42, now=NOW) == "U12 Tigers"
    )
    other = await teams.create_team(uow, actor=coach, details=TIGERS, now=NOW)
    other_code, _ = await _code(uow, other)
    with pytest.raises(InvalidAnswer):
        await groups.link_group(uow, actor=coach, code=other_code, chat_id=-42, now=NOW)
    assert await groups.bot_left_group(uow, chat_id=-42)
    page = await teams.team_page(uow, actor=coach, team_id=team_id)
    assert not page.group_linked


async def test_leaving_and_removal_end_the_membership_and_joining_again_is_allowed(
    uow: UnitOfWork, world: BookingWorld
) -> None:
    team_id = await _team(uow, world)
    code, _ = await _code(uow, team_id)
    pia = await _actor(uow, world.parent)
    coach = await _actor(uow, world.coach_user)
    await joining.join_team(uow, actor=pia, code=code, athlete_id=world.child.id, now=NOW)
    await joining.leave_team(uow, actor=pia, team_id=team_id, athlete_id=world.child.id, now=NOW)
    await joining.join_team(uow, actor=pia, code=code, athlete_id=world.child.id, now=NOW)
    omar = await _actor(uow, world.other_parent)
    with pytest.raises(NotAllowed):
        await joining.remove_member(
            uow, actor=omar, team_id=team_id, athlete_id=world.child.id, now=NOW
        )
    name = await joining.remove_member(
        uow, actor=coach, team_id=team_id, athlete_id=world.child.id, now=NOW
    )
    assert name == "Kim"
    async with uow as tx:
        assert await queries.team_roster(tx, team_id) == []
        kims = select(TeamMember).where(TeamMember.athlete_id == world.child.id)
        assert len(list(await tx.session.scalars(kims))) == 2

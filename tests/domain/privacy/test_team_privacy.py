"""Teams in /mydata and in erasure: a parent's ZIP carries her child's memberships and her Seen
presses; erasing her takes the child off the team and leaves the team to its coach."""

from __future__ import annotations

import json
import shutil
import zipfile
from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from domain.clubs.teams import joining, messages, queries, teams
from domain.models import Team, TeamMember, TeamMessageSeen
from domain.privacy import export
from domain.privacy.erasure import GRACE, request_erasure
from domain.uow import UnitOfWork
from tests.domain.admin.test_suspension import actor_of
from tests.domain.privacy.test_erasure import erase
from tests.factories import BookingWorld, booking_world

NOW = datetime(2026, 9, 1, 9, 0, tzinfo=UTC)
DETAILS = teams.TeamDetails("U12 Tigers", "tennis", "U12", NOW.date(), NOW.date())


async def _kim_on_a_team_with_a_seen_message(uow: UnitOfWork, world: BookingWorld) -> None:
    cora, pia = await actor_of(uow, world.coach_user), await actor_of(uow, world.parent)
    team_id = await teams.create_team(uow, actor=cora, details=DETAILS, now=NOW)
    async with uow as tx:
        team = await queries.team(tx, team_id)
        assert team is not None
    await joining.join_team(uow, actor=pia, code=team.join_code, athlete_id=world.child.id, now=NOW)
    sent = await messages.send_team_message(
        uow, actor=cora, team_id=team_id, body="Bring water", to_families=True, to_group=False,
        now=NOW,
    )  # fmt: skip
    await messages.mark_seen(uow, actor=pia, message_id=sent.message_id, now=NOW)


async def test_mydata_carries_the_childs_team_memberships_and_the_seen_presses(
    uow: UnitOfWork, services
) -> None:
    world = await booking_world(uow)
    await _kim_on_a_team_with_a_seen_message(uow, world)

    made = await export.export_my_data(
        uow, actor=await actor_of(uow, world.parent), storage=services.storage,
        box=services.secrets, now=NOW,
    )  # fmt: skip

    try:
        with zipfile.ZipFile(made.path) as archive:
            (membership,) = json.loads(archive.read("team_memberships.json"))
            (seen,) = json.loads(archive.read("team_messages_seen.json"))
            assert "team_messages.csv" in archive.namelist()
        assert (membership["team_name"], membership["athlete_id"]) == (
            "U12 Tigers",
            str(world.child.id),
        )
        assert seen["user_id"] == str(world.parent.id)
    finally:
        shutil.rmtree(made.path.parent)


async def test_erasing_a_parent_takes_her_child_off_the_team_and_keeps_the_team(
    uow: UnitOfWork, services
) -> None:
    world = await booking_world(uow)
    await _kim_on_a_team_with_a_seen_message(uow, world)
    asked = NOW - GRACE - timedelta(days=1)
    await request_erasure(uow, actor=await actor_of(uow, world.parent), now=asked)

    assert await erase(uow, services.storage, NOW) == 1

    async with uow as tx:
        assert list(await tx.session.scalars(select(TeamMember))) == []
        assert list(await tx.session.scalars(select(TeamMessageSeen))) == []
        assert [t.name for t in await tx.session.scalars(select(Team))] == ["U12 Tigers"]

"""A team's weekly practice from its page (/teams → the team → 📅 Schedule), through the
emulator: every member in every session, each family asked about its own child."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select

from domain.actors import load_actor
from domain.clubs.teams import joining, teams
from domain.clubs.teams import queries as team_queries
from domain.models import SessionParticipant
from domain.uow import UnitOfWork
from tests.handlers.chat_steps import open_chats
from tests.handlers.clubs.series_world import buttons, occurrences, run_rsvps, series_cast


async def test_a_teams_practice_is_made_from_its_page_and_each_family_is_asked(
    emulator, run_bot, uow: UnitOfWork
) -> None:
    cast = await series_cast(emulator, uow)
    today = datetime.now(UTC).date()
    coach = await load_actor(uow, telegram_user_id=cast.cora.id)
    details = teams.TeamDetails("U12 Tigers", "tennis", "U12", today, today + timedelta(days=59))
    team_id = await teams.create_team(uow, actor=coach, details=details, now=datetime.now(UTC))
    async with uow as tx:
        code = (await team_queries.team(tx, team_id)).join_code
    for person, child in ((cast.pia, cast.world.child), (cast.omar, cast.world.other_child)):
        parent = await load_actor(uow, telegram_user_id=person.id)
        await joining.join_team(
            uow, actor=parent, code=code, athlete_id=child.id, now=datetime.now(UTC)
        )
    async with run_bot(emulator) as application:
        await open_chats(cast.cora, cast.pia, cast.omar)
        await cast.cora.send("/teams")
        await cast.cora.expect_reply(contains="U12 Tigers")
        await cast.cora.press("U12 Tigers · U12")
        await cast.cora.expect_reply(contains="🏅 U12 Tigers")
        await cast.cora.press("📅 Schedule")
        await cast.cora.expect_reply(contains="No weekly practice yet")
        await cast.cora.press("➕ Weekly practice")
        await cast.cora.expect_reply(contains="the team's season unless you give one")
        await cast.cora.send("tue thu 17:30 90min at Main field")
        made = await cast.cora.expect_reply(contains="Series made")
        assert "U12 Tigers" in made["text"] and "Main field" in made["text"]

        sessions = await occurrences(uow)
        days = [today + timedelta(days=k) for k in range(60)]
        tuesdays_and_thursdays = [d for d in days if d.weekday() in (1, 3)]
        # Today's, if today is one, only while 17:30 is still ahead.
        assert len(tuesdays_and_thursdays) - 1 <= len(sessions) <= len(tuesdays_and_thursdays)
        async with uow as tx:
            places = await tx.session.scalar(select(func.count()).select_from(SessionParticipant))
        assert places == 2 * len(sessions)

        ahead = sessions[2]
        await run_rsvps(application, ahead.start_time - timedelta(hours=48))
        for person, name in ((cast.pia, "Kim"), (cast.omar, "Lea")):
            asked = await person.expect_reply(contains=f"Will {name} come to U12 Tigers")
            assert buttons(asked) == ["✅ Yes", "❌ No", "❔ Maybe"]
        await cast.omar.press("❌ No")
        await cast.omar.expect_reply(contains="Lea won't come")
        await cast.cora.send("/teams")
        await cast.cora.expect_reply(contains="Your teams")
        await cast.cora.press("U12 Tigers · U12")
        await cast.cora.expect_reply(contains="🏅 U12 Tigers")
        await cast.cora.press("📅 Schedule")
        listed = await cast.cora.expect_reply(contains="The team's weekly practices")
        assert buttons(listed)[0].startswith("📅 Tue, Thu 17:30")

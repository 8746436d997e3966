"""A team's weekly practice: the team's season unless typed, every member in every occurrence
(one group session each, capacity at least the roster), RSVP requests to each family for their
own child, and the team's co-coach running it while another coach cannot."""

from __future__ import annotations

from datetime import date, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from domain.actors import load_actor
from domain.clubs.series import rsvp
from domain.clubs.series import series as series_service
from domain.clubs.teams import joining, teams
from domain.clubs.teams import queries as team_queries
from domain.errors import NotAllowed
from domain.models import Notification, SessionParticipant, TrainingSession
from domain.uow import UnitOfWork
from tests.domain.clubs.series.series_world import NOW, series_world

BERLIN = ZoneInfo("Europe/Berlin")
TIGERS = teams.TeamDetails("U12 Tigers", "tennis", "U12", date(2027, 1, 4), date(2027, 3, 28))


async def test_a_teams_practice_puts_every_member_in_every_occurrence(uow: UnitOfWork) -> None:
    w = await series_world(uow)
    team_id = await teams.create_team(uow, actor=w.coach, details=TIGERS, now=NOW)
    async with uow as tx:
        code = (await team_queries.team(tx, team_id)).join_code
    for parent, child in ((w.parent, w.world.child), (w.other_parent, w.world.other_child)):
        await joining.join_team(uow, actor=parent, code=code, athlete_id=child.id, now=NOW)
    coach = await load_actor(uow, telegram_user_id=w.world.coach_user.telegram_user_id)

    created = await series_service.create_team_series(
        uow, actor=coach, team_id=team_id, text="tue thu 17:30 90min at Main field", now=NOW
    )
    assert (created.series.title, created.series.season_end) == ("U12 Tigers", date(2027, 3, 28))
    async with uow as tx:
        sessions = (
            await tx.session.scalars(
                select(TrainingSession)
                .where(TrainingSession.series_id == created.series.id)
                .order_by(TrainingSession.start_time)
            )
        ).all()
        participants = await tx.session.scalar(select(func.count()).select_from(SessionParticipant))
    assert created.occurrences == len(sessions) == 2 * 12
    assert {(s.session_type, s.athlete_id, s.participant_count) for s in sessions} == {
        ("group", None, 2)
    }
    assert {s.start_time.astimezone(BERLIN).time() for s in sessions} == {time(17, 30)}
    assert participants == 2 * len(sessions)
    listed = await series_service.team_series(uow, actor=coach, team_id=team_id)
    assert [s.id for s in listed] == [created.series.id]

    # Each family is asked about its own child only.
    first = sessions[0]
    await rsvp.queue_due(uow, now=first.start_time - timedelta(hours=48))
    async with uow as tx:
        asked = (
            await tx.session.execute(
                select(Notification.recipient_id, Notification.payload["athlete"].astext).where(
                    Notification.kind == "rsvp_request"
                )
            )
        ).all()
    assert sorted(asked, key=lambda r: r[1]) == [
        (w.world.parent.id, "Kim"),
        (w.world.other_parent.id, "Lea"),
    ]
    with pytest.raises(NotAllowed):
        await series_service.team_series(uow, actor=w.parent, team_id=team_id)


async def test_a_member_joining_later_is_in_the_practices_ahead_and_leaving_takes_them_out(
    uow: UnitOfWork,
) -> None:
    w = await series_world(uow)
    team_id = await teams.create_team(uow, actor=w.coach, details=TIGERS, now=NOW)
    async with uow as tx:
        code = (await team_queries.team(tx, team_id)).join_code
    kim, lea = w.world.child.id, w.world.other_child.id
    await joining.join_team(uow, actor=w.parent, code=code, athlete_id=kim, now=NOW)
    coach = await load_actor(uow, telegram_user_id=w.world.coach_user.telegram_user_id)
    created = await series_service.create_team_series(
        uow, actor=coach, team_id=team_id, text="wed 18:00", now=NOW
    )

    async def who() -> list[tuple[int, set]]:
        async with uow as tx:
            sessions = (
                await tx.session.scalars(
                    select(TrainingSession)
                    .where(TrainingSession.series_id == created.series.id)
                    .order_by(TrainingSession.start_time)
                )
            ).all()
            rows = (
                await tx.session.execute(
                    select(SessionParticipant.session_id, SessionParticipant.athlete_id)
                )
            ).all()
        return [(s.participant_count, {a for sid, a in rows if sid == s.id}) for s in sessions]

    assert {(n, frozenset(a)) for n, a in await who()} == {(1, frozenset({kim}))}
    # Lea joins in week 3: the weeks ahead have her, the first two do not.
    joined_at = NOW + timedelta(days=14)
    await joining.join_team(uow, actor=w.other_parent, code=code, athlete_id=lea, now=joined_at)
    after_join = await who()
    assert after_join[:2] == [(1, {kim})] * 2
    assert set(map(lambda r: (r[0], frozenset(r[1])), after_join[2:])) == {
        (2, frozenset({kim, lea}))
    }
    # She leaves in week 6: out of the weeks ahead, still in those she was in.
    await joining.leave_team(
        uow, actor=w.other_parent, team_id=team_id, athlete_id=lea, now=NOW + timedelta(days=35)
    )
    after_leave = await who()
    assert after_leave[2:5] == [(2, {kim, lea})] * 3
    assert set(map(lambda r: (r[0], frozenset(r[1])), after_leave[5:])) == {(1, frozenset({kim}))}

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import select

from domain.errors import AlreadyExists, NotAllowed
from domain.metrics.catalogue import (
    CatalogueError,
    MetricKind,
    add_custom,
    catalogue_for,
    find,
    is_plausible,
    suggest,
)
from domain.models import AuditEntry, Coach
from domain.policy import Actor
from domain.uow import UnitOfWork
from tests.domain.metrics.metric_steps import builtin_kinds
from tests.factories import T0, coach_and_athlete, session_at

CATALOGUE = builtin_kinds()


@pytest.mark.parametrize(
    "text",
    ["40 m sprint", "40m sprint", "40M-Sprint", "Sprint 40m", "sprint_40m", "40m", "  40   m "],
)
def test_find_ignores_case_spaces_punctuation_and_order(text: str) -> None:
    found = find(CATALOGUE, text)
    assert found is not None and found.key == "sprint_40m"


@pytest.mark.parametrize(
    ("text", "key"),
    [("weight", "body_weight"), ("bench", "bench_press"), ("5k", "run_5km"), ("ft", "free_throws")],
)
def test_find_reads_aliases(text: str, key: str) -> None:
    found = find(CATALOGUE, text)
    assert found is not None and found.key == key


def test_find_returns_none_for_what_is_not_in_the_catalogue() -> None:
    assert find(CATALOGUE, "javelin") is None
    assert find(CATALOGUE, "") is None


@pytest.mark.parametrize(
    ("typo", "name"),
    [("sprnt 40m", "40 m sprint"), ("sqaut", "Back squat"), ("dedlift", "Deadlift")],
)
def test_typos_get_the_nearest_names_first(typo: str, name: str) -> None:
    assert suggest(CATALOGUE, typo)[0].name == name


def test_suggest_gives_at_most_limit_and_nothing_for_gibberish() -> None:
    assert len(suggest(CATALOGUE, "sprint", limit=2)) <= 2
    assert suggest(CATALOGUE, "qqqqqqq") == []


def test_plausible_means_within_the_bounds() -> None:
    squat = find(CATALOGUE, "squat")
    assert squat is not None
    assert is_plausible(squat, Decimal(120))
    assert is_plausible(squat, squat.min_value) and is_plausible(squat, squat.max_value)
    assert not is_plausible(squat, Decimal("4.99"))
    assert not is_plausible(squat, Decimal(401))


async def test_catalogue_for_anyone_is_the_seeded_builtins(uow: UnitOfWork) -> None:
    kinds = await catalogue_for(uow, athlete_id=None)
    assert {kind.key for kind in kinds} == {kind.key for kind in CATALOGUE}
    assert all(kind.coach_id is None for kind in kinds)


def _coach_actor(coach: Coach) -> Actor:
    return Actor(user_id=coach.user_id, role="coach", coach_id=coach.id)


async def _agility(uow: UnitOfWork, coach: Coach, name: str = "T-test agility") -> MetricKind:
    return await add_custom(
        uow,
        actor=_coach_actor(coach),
        name=name,
        unit="s",
        better="lower",
        category="speed",
        min_value=Decimal(5),
        max_value=Decimal(20),
    )


async def test_a_coachs_metric_is_in_the_catalogue_of_athletes_they_coach_only(
    uow: UnitOfWork,
) -> None:
    coach, athlete = await coach_and_athlete(uow)
    _, stranger = await coach_and_athlete(uow)
    async with uow as tx:
        tx.sessions.add(session_at(coach, athlete, T0))
        await tx.commit()
    agility = await _agility(uow, coach)

    coached = await catalogue_for(uow, athlete_id=athlete.id)
    other = await catalogue_for(uow, athlete_id=stranger.id)

    assert find(coached, "t-test agility") == agility
    assert find(other, "t-test agility") is None
    assert len(coached) == len(CATALOGUE) + 1


async def test_a_cancelled_session_does_not_make_a_coach_theirs(uow: UnitOfWork) -> None:
    coach, athlete = await coach_and_athlete(uow)
    async with uow as tx:
        tx.sessions.add(session_at(coach, athlete, T0, status="cancelled"))
        await tx.commit()
    await _agility(uow, coach)

    assert find(await catalogue_for(uow, athlete_id=athlete.id), "t-test agility") is None


async def test_a_coach_sees_their_own_metrics_without_an_athlete(uow: UnitOfWork) -> None:
    coach, _ = await coach_and_athlete(uow)
    agility = await _agility(uow, coach)

    mine = await catalogue_for(uow, athlete_id=None, coach_id=coach.id)

    assert agility in mine


async def test_add_custom_stores_an_audited_metric_with_a_key_from_the_name(
    uow: UnitOfWork,
) -> None:
    coach, _ = await coach_and_athlete(uow)

    agility = await _agility(uow, coach)

    assert agility.key.startswith("t_test_agility_")
    assert (agility.coach_id, agility.unit, agility.better) == (coach.id, "s", "lower")
    async with uow as tx:
        audit = (await tx.session.scalars(select(AuditEntry))).all()
    assert [(entry.action, entry.entity_id) for entry in audit] == [
        ("metric_type.created", agility.id)
    ]


async def test_add_custom_is_refused_for_someone_who_is_not_a_coach(uow: UnitOfWork) -> None:
    parent = Actor(user_id=uuid.uuid4(), role="parent")
    with pytest.raises(NotAllowed):
        await add_custom(
            uow,
            actor=parent,
            name="Juggling",
            unit="reps",
            better="higher",
            category="technique",
            min_value=Decimal(0),
            max_value=Decimal(1000),
        )
    assert len(await catalogue_for(uow, athlete_id=None)) == len(CATALOGUE)


async def test_add_custom_refuses_a_name_the_coach_can_already_log(uow: UnitOfWork) -> None:
    coach, _ = await coach_and_athlete(uow)
    await _agility(uow, coach)
    with pytest.raises(AlreadyExists):
        await _agility(uow, coach, name="T test Agility")
    with pytest.raises(AlreadyExists):
        await _agility(uow, coach, name="40m sprint")


@pytest.mark.parametrize(
    ("field", "value", "key"),
    [
        ("unit", "lb", "metrics.error.bad_unit"),
        ("better", "sideways", "metrics.error.bad_direction"),
        ("category", "luck", "metrics.error.bad_category"),
        ("min_value", Decimal(30), "metrics.error.bad_bounds"),
        ("min_value", Decimal("19.99999"), "metrics.error.bad_bounds"),
        ("name", "  ", "metrics.error.bad_name"),
        ("name", "Drill #2", "metrics.error.bad_name"),
    ],
)
async def test_add_custom_explains_what_to_fix(
    uow: UnitOfWork, field: str, value: object, key: str
) -> None:
    fields: dict[str, object] = {
        "name": "Agility",
        "unit": "seconds",
        "better": "lower",
        "category": "speed",
        "min_value": Decimal(5),
        "max_value": Decimal(20),
    }
    actor = Actor(user_id=uuid.uuid4(), role="coach", coach_id=uuid.uuid4())
    with pytest.raises(CatalogueError) as refused:
        await add_custom(uow, actor=actor, **{**fields, field: value})  # type: ignore[arg-type]
    assert refused.value.message_key == key


async def test_add_custom_accepts_a_spelling_of_a_canonical_unit(uow: UnitOfWork) -> None:
    coach, _ = await coach_and_athlete(uow)
    kind = await add_custom(
        uow,
        actor=_coach_actor(coach),
        name="Wall balls",
        unit="Reps",
        better="higher",
        category="endurance",
        min_value=Decimal(0),
        max_value=Decimal(500),
    )
    assert kind.unit == "reps"

"""What the database itself refuses about programs, whatever code writes to it."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.uow import UnitOfWork
from tests.factories import coach_and_athlete

CONTENT = json.dumps({"schema_version": 1, "weeks": [{"days": []}]})


async def _program(conn, coach_id: uuid.UUID, **extra: object) -> uuid.UUID:
    columns = {"coach_id": coach_id, "title": "Sprint base", "duration_weeks": 4, **extra}
    names = ", ".join(columns)
    values = ", ".join(f":{name}" for name in columns)
    return await conn.scalar(
        text(f"INSERT INTO training_programs ({names}) VALUES ({values}) RETURNING id"), columns
    )


async def _version(conn, program_id: uuid.UUID, number: int = 1) -> uuid.UUID:
    return await conn.scalar(
        text(
            "INSERT INTO program_versions (program_id, number, content, schema_version,"
            " duration_weeks) VALUES (:p, :n, CAST(:c AS jsonb), 1, 4) RETURNING id"
        ),
        {"p": program_id, "n": number, "c": CONTENT},
    )


async def _refused(engine: AsyncEngine, statement: str, **params: object) -> str:
    """The SQLSTATE with which the database refuses `statement`."""
    async with engine.connect() as conn:
        with pytest.raises(DBAPIError) as caught:
            await conn.execute(text(statement), params)
        await conn.rollback()
    return caught.value.orig.sqlstate  # type: ignore[union-attr]


@pytest.fixture
async def world(uow: UnitOfWork, engine: AsyncEngine) -> dict[str, uuid.UUID]:
    coach, athlete = await coach_and_athlete(uow)
    async with engine.begin() as conn:
        program = await _program(conn, coach.id)
        version = await _version(conn, program)
        other = await _program(conn, coach.id, title="Other")
        other_version = await _version(conn, other)
    return {
        "coach": coach.id,
        "athlete": athlete.id,
        "program": program,
        "version": version,
        "other": other,
        "other_version": other_version,
    }


@pytest.mark.parametrize("weeks", [0, 53, -1])
async def test_a_program_of_no_weeks_or_more_than_52_is_refused(
    world: dict[str, uuid.UUID], engine: AsyncEngine, weeks: int
) -> None:
    state = await _refused(
        engine,
        "UPDATE training_programs SET duration_weeks = :w WHERE id = :id",
        w=weeks,
        id=world["program"],
    )
    assert state == "23514"


async def test_a_published_version_is_never_changed(
    world: dict[str, uuid.UUID], engine: AsyncEngine
) -> None:
    state = await _refused(
        engine,
        "UPDATE program_versions SET content = '{}'::jsonb WHERE id = :id",
        id=world["version"],
    )
    assert state == "23514"


async def test_a_program_cannot_be_published_without_a_version(
    world: dict[str, uuid.UUID], engine: AsyncEngine
) -> None:
    state = await _refused(
        engine,
        "UPDATE training_programs SET status = 'published' WHERE id = :id",
        id=world["other"],
    )
    assert state == "23514"


async def test_a_programs_current_version_must_be_its_own(
    world: dict[str, uuid.UUID], engine: AsyncEngine
) -> None:
    state = await _refused(
        engine,
        "UPDATE training_programs SET current_version_id = :v WHERE id = :id",
        v=world["other_version"],
        id=world["program"],
    )
    assert state == "23503"


async def test_an_enrolment_names_a_version_of_its_own_program(
    world: dict[str, uuid.UUID], engine: AsyncEngine
) -> None:
    state = await _refused(
        engine,
        "INSERT INTO program_enrolments (program_id, program_version_id, athlete_id,"
        " start_date, how) VALUES (:p, :v, :a, '2026-12-07', 'self')",
        p=world["program"],
        v=world["other_version"],
        a=world["athlete"],
    )
    assert state == "23503"


async def test_one_running_enrolment_per_athlete_and_program_paid_ones_name_a_payment(
    world: dict[str, uuid.UUID], engine: AsyncEngine
) -> None:
    enrol = (
        "INSERT INTO program_enrolments (program_id, program_version_id, athlete_id,"
        " start_date, how) VALUES (:p, :v, :a, '2026-12-07', :how)"
    )
    ids = {"p": world["program"], "v": world["version"], "a": world["athlete"]}
    async with engine.begin() as conn:
        await conn.execute(text(enrol), {**ids, "how": "self"})
    assert await _refused(engine, enrol, **ids, how="coach_assigned") == "23505"
    assert await _refused(engine, enrol, **ids, how="paid") == "23514"
    async with engine.begin() as conn:
        row = (
            await conn.execute(text("SELECT delivery_time, guardians_copy FROM program_enrolments"))
        ).one()
    assert (str(row.delivery_time), row.guardians_copy) == ("07:00:00", False)


async def test_a_day_is_logged_once_per_enrolment_within_weeks_and_days(
    world: dict[str, uuid.UUID], engine: AsyncEngine
) -> None:
    async with engine.begin() as conn:
        enrolment = await conn.scalar(
            text(
                "INSERT INTO program_enrolments (program_id, program_version_id, athlete_id,"
                " start_date, how) VALUES (:p, :v, :a, '2026-12-07', 'self') RETURNING id"
            ),
            {"p": world["program"], "v": world["version"], "a": world["athlete"]},
        )
    log = (
        "INSERT INTO program_workout_logs (enrolment_id, week, day, status) VALUES (:e, :w, :d, :s)"
    )
    async with engine.begin() as conn:
        await conn.execute(text(log), {"e": enrolment, "w": 1, "d": 1, "s": "done"})
    assert await _refused(engine, log, e=enrolment, w=1, d=1, s="partly") == "23505"
    assert await _refused(engine, log, e=enrolment, w=1, d=8, s="done") == "23514"
    assert await _refused(engine, log, e=enrolment, w=53, d=1, s="done") == "23514"
    assert await _refused(engine, log, e=enrolment, w=1, d=2, s="maybe") == "23514"
    metric = (
        "INSERT INTO performance_metrics (athlete_id, metric_type, value, recorded_at,"
        " metric_value, unit, program_enrolment_id, program_week, program_day)"
        " VALUES (:a, 'squat', '{}'::jsonb, :at, 100, 'kg', :e, :w, :d)"
    )
    at = datetime(2026, 12, 7, 8, tzinfo=UTC)
    async with engine.begin() as conn:
        await conn.execute(
            text(metric), {"a": world["athlete"], "at": at, "e": enrolment, "w": 1, "d": 1}
        )
    # A program day is named whole: enrolment, week and day together.
    assert (
        await _refused(engine, metric, a=world["athlete"], at=at, e=enrolment, w=None, d=1)
        == "23514"
    )


async def test_a_material_lives_under_its_programs_prefix_and_within_50_mb(
    world: dict[str, uuid.UUID], engine: AsyncEngine
) -> None:
    insert = (
        "INSERT INTO program_materials (program_id, storage_key, kind, content_type,"
        " size_bytes, title) VALUES (:p, :key, 'pdf', 'application/pdf', :size, 'Plan')"
    )
    mine = f"training-materials/{world['program']}/plan.pdf"
    elsewhere = f"training-materials/{world['other']}/plan.pdf"
    assert await _refused(engine, insert, p=world["program"], key=elsewhere, size=10) == "23514"
    too_big = 50 * 1024 * 1024 + 1
    assert await _refused(engine, insert, p=world["program"], key=mine, size=too_big) == "23514"
    async with engine.begin() as conn:
        await conn.execute(text(insert), {"p": world["program"], "key": mine, "size": 10})

"""Migrations and models never drift; the schema can be torn down and rebuilt."""

from __future__ import annotations

import re
from collections.abc import Callable
from enum import StrEnum

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection, inspect, text

from bot.migrate import alembic_config, include_object, migrate, upgrade_to_head
from domain.adapters.db import create_engine
from domain.models import (
    TABLES_WITH_UPDATED_AT,
    Allergen,
    AttendanceStatus,
    Base,
    BroadcastAudience,
    CheckinStatus,
    Diet,
    EnrolmentHow,
    EnrolmentStatus,
    FoodKind,
    InvitationKind,
    LinkRelation,
    MaterialKind,
    MealSlot,
    NutritionPlanStatus,
    PaymentStatus,
    ProgramStatus,
    Role,
    RsvpAnswer,
    SessionPaymentStatus,
    SessionStatus,
    TeamCoachRole,
    VideoStatus,
    WaitlistStatus,
    WorkoutStatus,
)

# Each status enum and the CHECK constraint the migrations gave its column.
CHECKED_ENUMS: dict[str, type[StrEnum]] = {
    "ck_training_sessions_status": SessionStatus,
    "ck_training_sessions_payment_status": SessionPaymentStatus,
    "ck_payments_status": PaymentStatus,
    "ck_video_analysis_ck_video_analysis_status": VideoStatus,
    "ck_users_role": Role,
    "ck_athlete_links_relation": LinkRelation,
    "ck_invitations_kind": InvitationKind,
    "ck_training_programs_status": ProgramStatus,
    "ck_program_materials_kind": MaterialKind,
    "ck_program_enrolments_how": EnrolmentHow,
    "ck_program_enrolments_status": EnrolmentStatus,
    "ck_program_workout_logs_status": WorkoutStatus,
    "ck_nutrition_plans_status": NutritionPlanStatus,
    "ck_nutrition_checkins_meal": MealSlot,
    "ck_nutrition_checkins_status": CheckinStatus,
    "ck_foods_kind": FoodKind,
    "ck_foods_allergens": Allergen,
    "ck_foods_breaks_diets": Diet,
    "ck_session_rsvps_answer": RsvpAnswer,
    "ck_session_attendance_status": AttendanceStatus,
    "ck_team_coaches_role": TeamCoachRole,
    "ck_session_waitlist_status": WaitlistStatus,
    "ck_broadcasts_ck_broadcasts_audience": BroadcastAudience,
}


def _diff(connection: Connection) -> list[object]:
    context = MigrationContext.configure(
        connection,
        opts={
            "compare_server_default": True,
            "compare_type": True,
            "include_object": include_object,
        },
    )
    return compare_metadata(context, Base.metadata)


async def test_upgrade_head_on_an_empty_database_matches_the_models(database_url: str) -> None:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            diff = await conn.run_sync(_diff)
    finally:
        await engine.dispose()
    assert diff == []


async def test_no_overlap_exclusion_and_update_triggers_come_from_the_migration(
    database_url: str,
) -> None:
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            exclusion = await conn.scalar(
                text("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE contype = 'x'")
            )
            triggers = await conn.scalar(
                text("SELECT count(*) FROM pg_trigger WHERE tgname LIKE '%_set_updated_at'")
            )
            default_partition = await conn.scalar(
                text("SELECT to_regclass('performance_metrics_default') IS NOT NULL")
            )
    finally:
        await engine.dispose()
    assert (
        "EXCLUDE USING gist (coach_id WITH =, tstzrange(start_time, end_time, '[)'::text) WITH &&)"
        in exclusion
    )
    assert "<> 'cancelled'" in exclusion
    assert triggers == len(TABLES_WITH_UPDATED_AT)
    assert default_partition


def test_downgrade_base_removes_every_table_and_upgrade_restores_them(
    make_scratch_database: Callable[[], str],
) -> None:
    url = make_scratch_database()
    upgrade_to_head(url)
    command.downgrade(alembic_config(url), "base")
    assert _tables(url) == {"alembic_version"}
    upgrade_to_head(url)
    assert set(Base.metadata.tables) <= _tables(url)


def test_migrate_twice_is_a_no_op_the_second_time(make_scratch_database: Callable[[], str]) -> None:
    url = make_scratch_database()
    first = migrate(url)
    second = migrate(url)
    assert len(first) == 4  # this month and three ahead
    assert second == []


def _tables(url: str) -> set[str]:
    import asyncio

    async def read() -> set[str]:
        engine = create_engine(url, pool_size=1)
        try:
            async with engine.connect() as conn:
                names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        finally:
            await engine.dispose()
        return set(names)

    return asyncio.run(read())


async def test_each_status_enum_allows_exactly_what_the_migrated_database_allows(
    database_url: str,
) -> None:
    # Autogenerate does not compare CHECK constraints: a member added without a migration
    # would only fail at its first write.
    engine = create_engine(database_url, pool_size=1)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                text(
                    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                    " WHERE conname = ANY(:names)"
                ),
                {"names": list(CHECKED_ENUMS)},
            )
            allowed = {name: set(re.findall(r"'([^']+)'::", clause)) for name, clause in rows}
    finally:
        await engine.dispose()
    assert allowed == {name: {m.value for m in enum} for name, enum in CHECKED_ENUMS.items()}

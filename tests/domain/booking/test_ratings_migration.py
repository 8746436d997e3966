"""Migration 0009 moves each stored session rating to its athlete, and never to another family."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from alembic import command
from sqlalchemy import text

from bot.migrate import alembic_config
from domain.adapters.db import create_engine

BEFORE = """
INSERT INTO users (id, role, first_name) VALUES
  ('00000000-0000-0000-0000-0000000000c1', 'coach', 'Cora'),
  ('00000000-0000-0000-0000-0000000000a1', 'athlete', 'Kim'),
  ('00000000-0000-0000-0000-0000000000a2', 'athlete', 'Lea');
INSERT INTO coaches (id, user_id) VALUES
  ('00000000-0000-0000-0000-00000000c0ac', '00000000-0000-0000-0000-0000000000c1');
INSERT INTO athletes (id, user_id, primary_sport) VALUES
  ('00000000-0000-0000-0000-0000000000b1', '00000000-0000-0000-0000-0000000000a1', 'tennis'),
  ('00000000-0000-0000-0000-0000000000b2', '00000000-0000-0000-0000-0000000000a2', 'tennis');
INSERT INTO training_sessions
  (id, coach_id, athlete_id, session_type, status, start_time, end_time, rating,
   athlete_feedback, capacity, participant_count)
VALUES
  ('00000000-0000-0000-0000-000000000501', '00000000-0000-0000-0000-00000000c0ac',
   '00000000-0000-0000-0000-0000000000b1', 'individual', 'completed',
   '2026-11-02 10:00+00', '2026-11-02 11:00+00', 5, 'Great', 1, 1),
  ('00000000-0000-0000-0000-000000000502', '00000000-0000-0000-0000-00000000c0ac', NULL,
   'group', 'completed', '2026-11-03 10:00+00', '2026-11-03 11:00+00', 3, NULL, 4, 1),
  ('00000000-0000-0000-0000-000000000503', '00000000-0000-0000-0000-00000000c0ac', NULL,
   'group', 'completed', '2026-11-04 10:00+00', '2026-11-04 11:00+00', 1, 'Crowded', 4, 2);
INSERT INTO session_participants (session_id, athlete_id) VALUES
  ('00000000-0000-0000-0000-000000000502', '00000000-0000-0000-0000-0000000000b2'),
  ('00000000-0000-0000-0000-000000000503', '00000000-0000-0000-0000-0000000000b1'),
  ('00000000-0000-0000-0000-000000000503', '00000000-0000-0000-0000-0000000000b2');
"""


async def _run(url: str, statements: str) -> None:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.begin() as conn:
            for statement in statements.split(";"):
                if statement.strip():
                    await conn.execute(text(statement))
    finally:
        await engine.dispose()


async def _rows(url: str, query: str) -> list[tuple[object, ...]]:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return [tuple(row) for row in await conn.execute(text(query))]
    finally:
        await engine.dispose()


def test_stored_ratings_move_to_their_athlete_and_an_unattributable_one_to_the_audit_log(
    make_scratch_database: Callable[[], str],
) -> None:
    url = make_scratch_database()
    command.upgrade(alembic_config(url), "0008")
    asyncio.run(_run(url, BEFORE))

    command.upgrade(alembic_config(url), "0009")

    moved = asyncio.run(
        _rows(
            url,
            "SELECT right(session_id::text, 3), right(athlete_id::text, 2), rating, feedback"
            " FROM session_ratings ORDER BY session_id",
        )
    )
    assert moved == [("501", "b1", 5, "Great"), ("502", "b2", 3, None)]
    kept = asyncio.run(
        _rows(url, "SELECT action, details FROM audit_log WHERE entity = 'training_session'")
    )
    assert kept == [("session.rating_unattributed", {"rating": 1, "feedback": "Crowded"})]
    coach = asyncio.run(_rows(url, "SELECT rating, total_reviews FROM coaches"))
    assert [(float(rating), reviews) for rating, reviews in coach] == [(4.0, 2)]

"""Ratings per athlete: `session_ratings` keyed by (session, athlete) replaces the session's one
rating and feedback, which the families of a group session shared and overwrote (issue 15).

Existing ratings move to their athlete: an individual session's to its `athlete_id`, a group
session's to its participant when it has one. A group session rated by one of several families
cannot say which family wrote it, and giving it to all of them would repeat the leak; its rating
and words are kept in `audit_log` (action `session.rating_unattributed`) and no longer shown.
The coaches' averages are recomputed from what moved.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 00:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The athlete a stored rating belongs to: the session's own, or its only participant.
_OWNER = """
    SELECT s.id AS session_id,
           COALESCE(s.athlete_id, (SELECT min(p.athlete_id::text)::uuid
                                     FROM session_participants p WHERE p.session_id = s.id))
             AS athlete_id,
           s.rating, s.athlete_feedback, s.booked_by, s.updated_at
      FROM training_sessions s
     WHERE s.rating IS NOT NULL
       AND (s.athlete_id IS NOT NULL
            OR (SELECT count(*) FROM session_participants p WHERE p.session_id = s.id) = 1)
"""


def upgrade() -> None:
    op.create_table(
        "session_ratings",
        sa.Column("session_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("athlete_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("rating", sa.SmallInteger(), nullable=False),
        sa.Column("feedback", sa.Text(), nullable=True),
        sa.Column("rated_by", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column(
            "rated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.CheckConstraint("rating BETWEEN 1 AND 5", name=op.f("ck_session_ratings_rating")),
        sa.ForeignKeyConstraint(
            ["athlete_id"],
            ["athletes.id"],
            name=op.f("fk_session_ratings_athlete_id_athletes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["rated_by"],
            ["users.id"],
            name=op.f("fk_session_ratings_rated_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_sessions.id"],
            name=op.f("fk_session_ratings_session_id_training_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "athlete_id", name=op.f("pk_session_ratings")),
    )
    op.execute(
        "INSERT INTO session_ratings (session_id, athlete_id, rating, feedback, rated_by, rated_at)"
        " SELECT session_id, athlete_id, rating, athlete_feedback, booked_by, updated_at"
        f" FROM ({_OWNER}) owned"
    )
    op.execute(
        "INSERT INTO audit_log (id, action, entity, entity_id, details)"
        " SELECT uuid_generate_v4(), 'session.rating_unattributed', 'training_session', s.id,"
        " jsonb_build_object('rating', s.rating, 'feedback', s.athlete_feedback)"
        " FROM training_sessions s WHERE s.rating IS NOT NULL"
        " AND s.id NOT IN (SELECT session_id FROM session_ratings)"
    )
    _recount_coaches(
        "SELECT s.coach_id, r.rating FROM session_ratings r"
        " JOIN training_sessions s ON s.id = r.session_id"
    )
    op.drop_constraint(op.f("ck_training_sessions_rating"), "training_sessions", type_="check")
    op.drop_column("training_sessions", "rating")
    op.drop_column("training_sessions", "athlete_feedback")


def downgrade() -> None:
    op.add_column("training_sessions", sa.Column("athlete_feedback", sa.Text(), nullable=True))
    op.add_column("training_sessions", sa.Column("rating", sa.SmallInteger(), nullable=True))
    op.create_check_constraint(
        op.f("ck_training_sessions_rating"), "training_sessions", "rating BETWEEN 1 AND 5"
    )
    # One rating per session again: a group session keeps its latest family's.
    op.execute(
        "UPDATE training_sessions s SET rating = r.rating, athlete_feedback = r.feedback"
        " FROM (SELECT DISTINCT ON (session_id) * FROM session_ratings"
        "       ORDER BY session_id, rated_at DESC) r WHERE r.session_id = s.id"
    )
    _recount_coaches("SELECT coach_id, rating FROM training_sessions")
    op.drop_table("session_ratings")


def _recount_coaches(ratings: str) -> None:
    """Each coach's average and count over `ratings` (rows of coach_id, rating)."""
    op.execute(
        "UPDATE coaches c SET rating = counted.average, total_reviews = counted.reviews"
        " FROM (SELECT co.id, round(avg(r.rating), 2) AS average, count(r.rating) AS reviews"
        f"       FROM coaches co LEFT JOIN ({ratings}) r ON r.coach_id = co.id GROUP BY co.id)"
        " counted WHERE counted.id = c.id"
    )

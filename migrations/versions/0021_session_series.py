"""Clubs: weekly series of sessions, RSVPs and attendance (issue 19, items 2 and 3).

- `session_series`: a weekly series (days, local time in the coach's zone, length, place,
  capacity, season, holidays left out, RSVP windows) for a private lesson or a team.
- `training_sessions.series_id`: the series an occurrence belongs to (NULL for a booking).
- `session_rsvps`: a family's yes / no / maybe per occurrence and athlete.
- `session_attendance`: the coach's present / late / absent / excused per occurrence and athlete.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 06:40:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "session_series",
        sa.Column(
            "id",
            postgresql.UUID(as_uuid=True),
            server_default=sa.text("uuid_generate_v4()"),
            nullable=False,
        ),
        sa.Column("coach_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("team_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("athlete_id", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column("title", sa.String(100), nullable=False),
        sa.Column("weekdays", postgresql.ARRAY(sa.SmallInteger()), nullable=False),
        sa.Column("local_time", sa.Time(), nullable=False),
        sa.Column("timezone", sa.String(64), nullable=False),
        sa.Column("length_minutes", sa.SmallInteger(), nullable=False),
        sa.Column("capacity", sa.SmallInteger(), server_default=sa.text("1"), nullable=False),
        sa.Column("location", postgresql.JSONB(), nullable=True),
        sa.Column("season_start", sa.Date(), nullable=False),
        sa.Column("season_end", sa.Date(), nullable=False),
        sa.Column(
            "holidays", postgresql.ARRAY(sa.Date()), server_default=sa.text("'{}'"), nullable=False
        ),
        sa.Column(
            "rsvp_lead_hours", sa.SmallInteger(), server_default=sa.text("48"), nullable=False
        ),
        sa.Column(
            "rsvp_reminder_hours", sa.SmallInteger(), server_default=sa.text("24"), nullable=False
        ),
        sa.Column(
            "rsvp_deadline_hours", sa.SmallInteger(), server_default=sa.text("3"), nullable=False
        ),
        sa.Column("created_by", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column(
            "updated_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.CheckConstraint(
            "cardinality(weekdays) BETWEEN 1 AND 7", name=op.f("ck_session_series_weekdays")
        ),
        sa.CheckConstraint(
            "season_end >= season_start", name=op.f("ck_session_series_season_order")
        ),
        sa.CheckConstraint(
            "season_end - season_start <= 731", name=op.f("ck_session_series_season_length")
        ),
        sa.CheckConstraint(
            "length_minutes BETWEEN 15 AND 480", name=op.f("ck_session_series_length")
        ),
        sa.CheckConstraint("capacity >= 1", name=op.f("ck_session_series_capacity")),
        sa.CheckConstraint(
            "rsvp_deadline_hours < rsvp_lead_hours", name=op.f("ck_session_series_rsvp_windows")
        ),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["coaches.id"],
            name="fk_session_series_coach_id_coaches",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name="fk_session_series_team_id_teams",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["athlete_id"],
            ["athletes.id"],
            name="fk_session_series_athlete_id_athletes",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name="fk_session_series_created_by_users",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_session_series"),
    )
    op.create_index("idx_session_series_coach_id", "session_series", ["coach_id"])
    op.create_index("idx_session_series_team_id", "session_series", ["team_id"])
    op.execute(
        "CREATE TRIGGER session_series_set_updated_at BEFORE UPDATE ON session_series "
        "FOR EACH ROW EXECUTE FUNCTION set_updated_at()"
    )
    op.add_column(
        "training_sessions",
        sa.Column("series_id", postgresql.UUID(as_uuid=True), nullable=True),
    )
    op.create_foreign_key(
        "fk_training_sessions_series_id_session_series",
        "training_sessions",
        "session_series",
        ["series_id"],
        ["id"],
        ondelete="SET NULL",
    )
    op.create_index("idx_sessions_series_id", "training_sessions", ["series_id", "start_time"])
    for table, column, check in (
        ("session_rsvps", "answer", "answer IN ('yes', 'no', 'maybe')"),
        (
            "session_attendance",
            "status",
            "status IN ('present', 'late', 'absent', 'excused')",
        ),
    ):
        _per_athlete_table(table, column, check)


def _per_athlete_table(table: str, column: str, check: str) -> None:
    by, at = (
        ("answered_by", "answered_at") if table == "session_rsvps" else ("marked_by", "marked_at")
    )
    columns = [
        sa.Column("session_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("athlete_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column(column, sa.String(10), nullable=False),
        sa.Column(by, postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column(at, sa.DateTime(timezone=True), nullable=False),
    ]
    if table == "session_attendance":
        columns.append(sa.Column("note", sa.Text(), nullable=True))
    op.create_table(
        table,
        *columns,
        sa.CheckConstraint(check, name=op.f(f"ck_{table}_{column}")),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_sessions.id"],
            name=f"fk_{table}_session_id_training_sessions",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["athlete_id"],
            ["athletes.id"],
            name=f"fk_{table}_athlete_id_athletes",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            [by], ["users.id"], name=f"fk_{table}_{by}_users", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("session_id", "athlete_id", name=f"pk_{table}"),
    )
    op.create_index(f"idx_{table}_athlete_id", table, ["athlete_id"])


def downgrade() -> None:
    op.drop_table("session_attendance")
    op.drop_table("session_rsvps")
    op.drop_index("idx_sessions_series_id", table_name="training_sessions")
    op.drop_constraint(
        "fk_training_sessions_series_id_session_series", "training_sessions", type_="foreignkey"
    )
    op.drop_column("training_sessions", "series_id")
    op.drop_table("session_series")

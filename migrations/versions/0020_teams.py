"""Clubs and teams (issue 19, part 1).

- `teams`: a squad a coach runs for a season (name, sport, age group, season dates, at most two
  years), its join code for families, its co-coach code, the Telegram group linked to it.
- `team_coaches`: the head coach and assistants of each team.
- `team_members`: athletes on a roster, who joined them and when, until they leave; one live
  membership per athlete and team.
- `team_messages` and `team_message_seen`: a coach's messages to a team and the families'
  "Seen" presses (bots cannot see reads).
- `broadcasts.audience` may be `team`: an admin's broadcast to the families of a team.

Revision ID: 0020
Revises: 0014
Create Date: 2026-12-07 06:11:03.963530
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A broadcast may go to the families of a team.
    op.drop_constraint(op.f("ck_broadcasts_ck_broadcasts_audience"), "broadcasts", type_="check")
    op.create_check_constraint(
        op.f("ck_broadcasts_ck_broadcasts_audience"),
        "broadcasts",
        "audience IN ('everyone', 'role', 'sport', 'coach', 'team')",
    )
    op.create_table(
        "teams",
        sa.Column("id", sa.UUID(), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("coach_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("sport", sa.String(length=100), nullable=False),
        sa.Column("age_group", sa.String(length=50), nullable=False),
        sa.Column("season_start", sa.Date(), nullable=False),
        sa.Column("season_end", sa.Date(), nullable=False),
        sa.Column("telegram_group_chat_id", sa.BigInteger(), nullable=True),
        sa.Column("join_code", sa.String(length=32), nullable=False),
        sa.Column("coach_code", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.UUID(), nullable=True),
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
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "season_end <= season_start + interval '2 years'", name=op.f("ck_teams_season_len")
        ),
        sa.CheckConstraint("season_end >= season_start", name=op.f("ck_teams_season_order")),
        sa.ForeignKeyConstraint(
            ["coach_id"], ["coaches.id"], name=op.f("fk_teams_coach_id_coaches")
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_teams_created_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_teams")),
        sa.UniqueConstraint("coach_code", name=op.f("uq_teams_coach_code")),
        sa.UniqueConstraint("join_code", name=op.f("uq_teams_join_code")),
        sa.UniqueConstraint("telegram_group_chat_id", name=op.f("uq_teams_telegram_group_chat_id")),
    )
    op.create_index("idx_teams_coach_id", "teams", ["coach_id"], unique=False)
    op.execute(
        "CREATE TRIGGER teams_set_updated_at BEFORE UPDATE ON teams "
        "FOR EACH ROW EXECUTE FUNCTION set_updated_at()"
    )
    op.create_table(
        "team_coaches",
        sa.Column("team_id", sa.UUID(), nullable=False),
        sa.Column("coach_id", sa.UUID(), nullable=False),
        sa.Column("role", sa.String(length=10), nullable=False),
        sa.Column(
            "added_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.CheckConstraint("role IN ('head', 'assistant')", name=op.f("ck_team_coaches_role")),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["coaches.id"],
            name=op.f("fk_team_coaches_coach_id_coaches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_coaches_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("team_id", "coach_id", name=op.f("pk_team_coaches")),
    )
    op.create_index("idx_team_coaches_coach_id", "team_coaches", ["coach_id"], unique=False)
    op.create_table(
        "team_members",
        sa.Column("id", sa.UUID(), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("team_id", sa.UUID(), nullable=False),
        sa.Column("athlete_id", sa.UUID(), nullable=False),
        sa.Column("joined_by", sa.UUID(), nullable=True),
        sa.Column(
            "joined_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("left_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["athlete_id"],
            ["athletes.id"],
            name=op.f("fk_team_members_athlete_id_athletes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["joined_by"],
            ["users.id"],
            name=op.f("fk_team_members_joined_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_members_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_members")),
    )
    op.create_index("idx_team_members_athlete_id", "team_members", ["athlete_id"], unique=False)
    op.create_index(
        "uq_team_members_live",
        "team_members",
        ["team_id", "athlete_id"],
        unique=True,
        postgresql_where=sa.text("left_at IS NULL"),
    )
    op.create_table(
        "team_messages",
        sa.Column("id", sa.UUID(), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("team_id", sa.UUID(), nullable=False),
        sa.Column("sent_by", sa.UUID(), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("to_families", sa.Boolean(), nullable=False),
        sa.Column("to_group", sa.Boolean(), nullable=False),
        sa.Column("recipients", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.CheckConstraint("to_families OR to_group", name=op.f("ck_team_messages_somewhere")),
        sa.ForeignKeyConstraint(
            ["sent_by"],
            ["users.id"],
            name=op.f("fk_team_messages_sent_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["team_id"],
            ["teams.id"],
            name=op.f("fk_team_messages_team_id_teams"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_messages")),
    )
    op.create_index(
        "idx_team_messages_team_id", "team_messages", ["team_id", "created_at"], unique=False
    )
    op.create_table(
        "team_message_seen",
        sa.Column("message_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column(
            "seen_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["team_messages.id"],
            name=op.f("fk_team_message_seen_message_id_team_messages"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_team_message_seen_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("message_id", "user_id", name=op.f("pk_team_message_seen")),
    )


def downgrade() -> None:
    op.execute("DELETE FROM broadcasts WHERE audience = 'team'")
    op.drop_constraint(op.f("ck_broadcasts_ck_broadcasts_audience"), "broadcasts", type_="check")
    op.create_check_constraint(
        op.f("ck_broadcasts_ck_broadcasts_audience"),
        "broadcasts",
        "audience IN ('everyone', 'role', 'sport', 'coach')",
    )
    op.drop_table("team_message_seen")
    op.drop_index("idx_team_messages_team_id", table_name="team_messages")
    op.drop_table("team_messages")
    op.drop_index(
        "uq_team_members_live",
        table_name="team_members",
        postgresql_where=sa.text("left_at IS NULL"),
    )
    op.drop_index("idx_team_members_athlete_id", table_name="team_members")
    op.drop_table("team_members")
    op.drop_index("idx_team_coaches_coach_id", table_name="team_coaches")
    op.drop_table("team_coaches")
    op.execute("DROP TRIGGER IF EXISTS teams_set_updated_at ON teams")
    op.drop_index("idx_teams_coach_id", table_name="teams")
    op.drop_table("teams")

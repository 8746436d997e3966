"""Clubs: packs of private lessons and team fees (issue 19, item 6).

- `pack_offers`: a coach's pack (name, sessions, price, currency, days valid).
- `session_packs`: a pack bought for an athlete, by its payment (unique); `sessions_left`
  never below zero (CHECK), drawn one per private lesson.
- `pack_draws`: the lesson a pack paid for; `returned_at` after a free cancellation.
- `team_fees`: a team's fee per season or per month (one live fee per team).
- `team_fee_dues`: what an athlete owes per period, settled by one payment (unique).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 11:07:19.534034
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "pack_offers",
        sa.Column("id", sa.UUID(), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("coach_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("sessions", sa.SmallInteger(), nullable=False),
        sa.Column("price", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("valid_days", sa.Integer(), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("price > 0", name=op.f("ck_pack_offers_price")),
        sa.CheckConstraint("sessions BETWEEN 1 AND 100", name=op.f("ck_pack_offers_sessions")),
        sa.CheckConstraint("valid_days BETWEEN 1 AND 730", name=op.f("ck_pack_offers_valid_days")),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["coaches.id"],
            name=op.f("fk_pack_offers_coach_id_coaches"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pack_offers")),
    )
    op.create_index("idx_pack_offers_coach_id", "pack_offers", ["coach_id"], unique=False)
    op.create_table(
        "team_fees",
        sa.Column("id", sa.UUID(), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("team_id", sa.UUID(), nullable=False),
        sa.Column("period", sa.String(length=10), nullable=False),
        sa.Column("price", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("set_by", sa.UUID(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.Column("archived_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("period IN ('season', 'month')", name=op.f("ck_team_fees_period")),
        sa.CheckConstraint("price > 0", name=op.f("ck_team_fees_price")),
        sa.ForeignKeyConstraint(
            ["set_by"], ["users.id"], name=op.f("fk_team_fees_set_by_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["team_id"], ["teams.id"], name=op.f("fk_team_fees_team_id_teams"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_fees")),
    )
    op.create_index(
        "uq_team_fees_live",
        "team_fees",
        ["team_id"],
        unique=True,
        postgresql_where=sa.text("archived_at IS NULL"),
    )
    op.create_table(
        "session_packs",
        sa.Column("id", sa.UUID(), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("offer_id", sa.UUID(), nullable=False),
        sa.Column("coach_id", sa.UUID(), nullable=False),
        sa.Column("athlete_id", sa.UUID(), nullable=False),
        sa.Column("payer_id", sa.UUID(), nullable=True),
        sa.Column("payment_id", sa.UUID(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("sessions_total", sa.SmallInteger(), nullable=False),
        sa.Column("sessions_left", sa.SmallInteger(), nullable=False),
        sa.Column(
            "bought_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=False,
        ),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "sessions_left <= sessions_total", name=op.f("ck_session_packs_left_within_total")
        ),
        sa.CheckConstraint("sessions_left >= 0", name=op.f("ck_session_packs_left_not_negative")),
        sa.ForeignKeyConstraint(
            ["athlete_id"],
            ["athletes.id"],
            name=op.f("fk_session_packs_athlete_id_athletes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["coach_id"],
            ["coaches.id"],
            name=op.f("fk_session_packs_coach_id_coaches"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["offer_id"], ["pack_offers.id"], name=op.f("fk_session_packs_offer_id_pack_offers")
        ),
        sa.ForeignKeyConstraint(
            ["payer_id"],
            ["users.id"],
            name=op.f("fk_session_packs_payer_id_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_session_packs_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_session_packs")),
        sa.UniqueConstraint("payment_id", name=op.f("uq_session_packs_payment_id")),
    )
    op.create_index(
        "idx_session_packs_athlete_coach", "session_packs", ["athlete_id", "coach_id"], unique=False
    )
    op.create_table(
        "team_fee_dues",
        sa.Column("id", sa.UUID(), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("fee_id", sa.UUID(), nullable=False),
        sa.Column("athlete_id", sa.UUID(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("amount", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("payment_id", sa.UUID(), nullable=True),
        sa.Column("paid_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.CheckConstraint("amount > 0", name=op.f("ck_team_fee_dues_amount")),
        sa.ForeignKeyConstraint(
            ["athlete_id"],
            ["athletes.id"],
            name=op.f("fk_team_fee_dues_athlete_id_athletes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["fee_id"],
            ["team_fees.id"],
            name=op.f("fk_team_fee_dues_fee_id_team_fees"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["payment_id"], ["payments.id"], name=op.f("fk_team_fee_dues_payment_id_payments")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_team_fee_dues")),
        sa.UniqueConstraint(
            "fee_id",
            "athlete_id",
            "period_start",
            name=op.f("uq_team_fee_dues_fee_id_athlete_id_period_start"),
        ),
        sa.UniqueConstraint("payment_id", name=op.f("uq_team_fee_dues_payment_id")),
    )
    op.create_index("idx_team_fee_dues_athlete_id", "team_fee_dues", ["athlete_id"], unique=False)
    op.create_table(
        "pack_draws",
        sa.Column("session_id", sa.UUID(), nullable=False),
        sa.Column("pack_id", sa.UUID(), nullable=False),
        sa.Column("drawn_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["pack_id"],
            ["session_packs.id"],
            name=op.f("fk_pack_draws_pack_id_session_packs"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["training_sessions.id"],
            name=op.f("fk_pack_draws_session_id_training_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_pack_draws")),
    )
    op.create_index("idx_pack_draws_pack_id", "pack_draws", ["pack_id"], unique=False)


def downgrade() -> None:
    op.drop_index("idx_pack_draws_pack_id", table_name="pack_draws")
    op.drop_table("pack_draws")
    op.drop_index("idx_team_fee_dues_athlete_id", table_name="team_fee_dues")
    op.drop_table("team_fee_dues")
    op.drop_index("idx_session_packs_athlete_coach", table_name="session_packs")
    op.drop_table("session_packs")
    op.drop_index(
        "uq_team_fees_live", table_name="team_fees", postgresql_where=sa.text("archived_at IS NULL")
    )
    op.drop_table("team_fees")
    op.drop_index("idx_pack_offers_coach_id", table_name="pack_offers")
    op.drop_table("pack_offers")

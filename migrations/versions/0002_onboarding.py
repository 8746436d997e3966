"""Onboarding: second guardians and mentors, invitations, profile and coach fields.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25 15:49:59.237145
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "athlete_links",
        sa.Column("id", sa.UUID(), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("athlete_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("relation", sa.String(length=20), nullable=False),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.CheckConstraint(
            "relation IN ('guardian', 'mentor')", name=op.f("ck_athlete_links_relation")
        ),
        sa.ForeignKeyConstraint(
            ["athlete_id"],
            ["athletes.id"],
            name=op.f("fk_athlete_links_athlete_id_athletes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_athlete_links_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_athlete_links")),
        sa.UniqueConstraint(
            "athlete_id", "user_id", name=op.f("uq_athlete_links_athlete_id_user_id")
        ),
    )
    op.create_index("idx_athlete_links_user_id", "athlete_links", ["user_id"], unique=False)
    op.create_table(
        "invitations",
        sa.Column("id", sa.UUID(), server_default=sa.text("uuid_generate_v4()"), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("athlete_id", sa.UUID(), nullable=True),
        sa.Column("created_by", sa.UUID(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("used_by", sa.UUID(), nullable=True),
        sa.Column(
            "created_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.CheckConstraint(
            "kind IN ('child', 'guardian', 'mentor')", name=op.f("ck_invitations_kind")
        ),
        sa.ForeignKeyConstraint(
            ["athlete_id"],
            ["athletes.id"],
            name=op.f("fk_invitations_athlete_id_athletes"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by"],
            ["users.id"],
            name=op.f("fk_invitations_created_by_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["used_by"],
            ["users.id"],
            name=op.f("fk_invitations_used_by_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_invitations")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_invitations_token_hash")),
    )
    op.create_index("idx_invitations_created_by", "invitations", ["created_by"], unique=False)
    op.add_column("athletes", sa.Column("position", sa.String(length=50), nullable=True))
    op.add_column("athletes", sa.Column("dominant_hand", sa.String(length=10), nullable=True))
    op.alter_column(
        "athletes",
        "emergency_contact_name",
        existing_type=sa.VARCHAR(length=100),
        type_=sa.Text(),
        existing_nullable=True,
    )
    op.alter_column(
        "athletes",
        "emergency_contact_phone",
        existing_type=sa.VARCHAR(length=20),
        type_=sa.Text(),
        existing_nullable=True,
    )
    op.add_column(
        "coaches",
        sa.Column("currency", sa.String(length=3), server_default=sa.text("'EUR'"), nullable=False),
    )
    op.add_column("coaches", sa.Column("verification_note", sa.Text(), nullable=True))
    op.add_column(
        "users",
        sa.Column(
            "units", sa.String(length=10), server_default=sa.text("'metric'"), nullable=False
        ),
    )
    op.add_column("users", sa.Column("date_of_birth_encrypted", sa.Text(), nullable=True))
    op.add_column("users", sa.Column("onboarded_at", sa.DateTime(timezone=True), nullable=True))
    op.create_check_constraint(op.f("ck_users_units"), "users", "units IN ('metric', 'imperial')")
    op.create_check_constraint(
        op.f("ck_athletes_dominant_hand"), "athletes", "dominant_hand IN ('left', 'right', 'both')"
    )


def downgrade() -> None:
    # Narrowing the emergency contact columns fails once they hold ciphertext; by then a
    # downgrade would lose data anyway.
    op.drop_constraint(op.f("ck_athletes_dominant_hand"), "athletes", type_="check")
    op.drop_constraint(op.f("ck_users_units"), "users", type_="check")
    op.drop_column("users", "onboarded_at")
    op.drop_column("users", "date_of_birth_encrypted")
    op.drop_column("users", "units")
    op.drop_column("coaches", "verification_note")
    op.drop_column("coaches", "currency")
    op.alter_column(
        "athletes",
        "emergency_contact_phone",
        existing_type=sa.Text(),
        type_=sa.VARCHAR(length=20),
        existing_nullable=True,
    )
    op.alter_column(
        "athletes",
        "emergency_contact_name",
        existing_type=sa.Text(),
        type_=sa.VARCHAR(length=100),
        existing_nullable=True,
    )
    op.drop_column("athletes", "dominant_hand")
    op.drop_column("athletes", "position")
    op.drop_index("idx_invitations_created_by", table_name="invitations")
    op.drop_table("invitations")
    op.drop_index("idx_athlete_links_user_id", table_name="athlete_links")
    op.drop_table("athlete_links")

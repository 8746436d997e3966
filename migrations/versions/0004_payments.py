"""Payments: Telegram charge ids unique, provider charge id, refunds, one completed payment per
session, the deadline an unpaid session is released at.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25 17:35:14.900184
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

STATUS_CHECK = "status IN ('pending', 'completed', 'refund_due', 'refunded', 'failed')"


def upgrade() -> None:
    op.add_column("payments", sa.Column("provider_charge_id", sa.String(length=255), nullable=True))
    op.add_column("payments", sa.Column("refunded_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "uq_payments_session_completed",
        "payments",
        ["session_id"],
        unique=True,
        postgresql_where=sa.text("status IN ('completed', 'refund_due')"),
    )
    op.create_unique_constraint(op.f("uq_payments_transaction_id"), "payments", ["transaction_id"])
    op.add_column(
        "training_sessions", sa.Column("payment_due_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.create_check_constraint(op.f("ck_payments_status"), "payments", STATUS_CHECK)


def downgrade() -> None:
    op.drop_constraint(op.f("ck_payments_status"), "payments", type_="check")
    op.drop_column("training_sessions", "payment_due_at")
    op.drop_constraint(op.f("uq_payments_transaction_id"), "payments", type_="unique")
    op.drop_index(
        "uq_payments_session_completed",
        table_name="payments",
        postgresql_where=sa.text("status IN ('completed', 'refund_due')"),
    )
    op.drop_column("payments", "refunded_at")
    op.drop_column("payments", "provider_charge_id")

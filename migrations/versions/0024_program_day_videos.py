"""Videos sent from a program day (issue 16).

- `video_analysis.program_enrolment_id` (FK program_enrolments), `program_week`,
  `program_day`: the program day a video was sent from, so the program's author reviews it;
  all three set or all NULL, within 1..52 and 1..7; a partial index on the enrolment.

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 11:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0024"
down_revision: str | None = "0023"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TABLE = "video_analysis"


def upgrade() -> None:
    op.add_column(
        TABLE, sa.Column("program_enrolment_id", postgresql.UUID(as_uuid=True), nullable=True)
    )
    for name in ("program_week", "program_day"):
        op.add_column(TABLE, sa.Column(name, sa.SmallInteger(), nullable=True))
    op.create_foreign_key(
        op.f("fk_video_analysis_program_enrolment_id_program_enrolments"),
        TABLE,
        "program_enrolments",
        ["program_enrolment_id"],
        ["id"],
    )
    op.create_check_constraint(
        op.f("ck_video_analysis_program_day_whole"),
        TABLE,
        "(program_enrolment_id IS NULL) = (program_week IS NULL)"
        " AND (program_enrolment_id IS NULL) = (program_day IS NULL)",
    )
    op.create_check_constraint(
        op.f("ck_video_analysis_program_day_bounds"),
        TABLE,
        "program_week BETWEEN 1 AND 52 AND program_day BETWEEN 1 AND 7",
    )
    op.create_index(
        "idx_video_program_enrolment",
        TABLE,
        ["program_enrolment_id"],
        postgresql_where=sa.text("program_enrolment_id IS NOT NULL"),
    )


def downgrade() -> None:
    op.drop_index("idx_video_program_enrolment", table_name=TABLE)
    for check in ("program_day_bounds", "program_day_whole"):
        op.drop_constraint(op.f(f"ck_video_analysis_{check}"), TABLE, type_="check")
    op.drop_constraint(
        op.f("fk_video_analysis_program_enrolment_id_program_enrolments"),
        TABLE,
        type_="foreignkey",
    )
    for name in ("program_day", "program_week", "program_enrolment_id"):
        op.drop_column(TABLE, name)

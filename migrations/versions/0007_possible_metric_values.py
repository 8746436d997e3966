"""Metric values no measurement can give are refused by the database too, and an undone value's
personal-best notices are found by an index.

The CHECKs hold the rule of `domain.metrics.possible`: nothing is negative, only a share (%),
a count (reps) or a level may be zero, a share is at most 100 and a count is whole. Not every
metric's valid range is above zero (0 pull-ups, 0 % on target), so `metric_value > 0` alone
would refuse real results.

They are added NOT VALID: new and changed rows are checked from now on, while a value stored
before this revision (an impossible one confirmed with "Log anyway") neither blocks the upgrade
nor is deleted by it; once such rows are dealt with, `ALTER TABLE performance_metrics VALIDATE
CONSTRAINT ...` checks the rest. Partitions, present and future, inherit the constraints.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-06 21:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

CHECKS = {
    "ck_performance_metrics_possible_value": (
        "metric_value > 0 OR (metric_value = 0 AND unit IN ('%', 'reps', 'level'))"
    ),
    "ck_performance_metrics_share_at_most_100": "unit <> '%' OR metric_value <= 100",
    "ck_performance_metrics_whole_count": "unit <> 'reps' OR metric_value = trunc(metric_value)",
}


def upgrade() -> None:
    for name, condition in CHECKS.items():
        op.create_check_constraint(
            op.f(name), "performance_metrics", condition, postgresql_not_valid=True
        )
    op.create_index(
        "idx_notifications_best_metric",
        "notifications",
        [sa.text("(payload ->> 'metric_id')")],
        postgresql_where=sa.text("kind IN ('personal_best', 'personal_best_coach')"),
    )


def downgrade() -> None:
    op.drop_index("idx_notifications_best_metric", table_name="notifications")
    for name in CHECKS:
        op.drop_constraint(op.f(name), "performance_metrics", type_="check")

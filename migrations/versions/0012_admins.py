"""Admins in the database, an append-only audit log, and what /user searches by (issue 18).

- `admins` (user, who granted it, when) is the truth about who is an admin; every user whose
  role is `admin` (ADMIN_TELEGRAM_IDS gave them that role at sign-up) becomes one.
  `ADMIN_TELEGRAM_IDS` only seeds it from now on. The trigger `admins_keep_one` refuses a
  DELETE that leaves no admin: it takes a transaction-scoped advisory lock before counting, so
  two admins removing each other at the same moment cannot both pass (the second counts
  after the first committed). It raises a check violation named `admins_keep_one`.
- `audit_log` is append-only: a trigger refuses UPDATE and DELETE. The one way around it is
  for erasure (issue 18, item 7) to anonymise entries: an UPDATE in a transaction that ran
  `SET LOCAL sportscenter.audit_maintenance = 'anonymise'` is let through (never a DELETE).
  TRUNCATE stays the owner's (the test suite empties tables between tests).
- `users.telegram_username` (Telegram's @username, as last seen) and a trigram index on the
  lowercased full name (`pg_trgm`), so /user finds "@ana", "Ana Lopez" or a near miss.
- `users.phone_number_index`: a blind index of the encrypted phone number (a keyed hash of its
  last 9 digits, `domain.people.phone_numbers`), so /user finds a person by phone without
  decrypting everyone's. Existing numbers are indexed with the data key `sportscenter migrate`
  passes (as 0010 encrypted them); run without one, the revision refuses if there is a number
  to index.
- `payments.refund_reference`: the provider's reference of a refund an admin made by hand.

Revision ID: 0012
Revises: 0010
Create Date: 2026-12-07 03:30:00.000000
"""

import re
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy.dialects import postgresql

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Any constant: the lock every removal of an admin takes before it counts who is left.
ADMINS_LOCK = 1_812_000_018

KEEP_ONE = f"""
CREATE FUNCTION admins_keep_one() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM removed) THEN
        RETURN NULL;  -- a statement that removed nobody (a cascade from users, say)
    END IF;
    PERFORM pg_advisory_xact_lock({ADMINS_LOCK});
    -- A fresh snapshot per statement (READ COMMITTED): removals committed while this one
    -- waited for the lock are counted.
    IF NOT EXISTS (SELECT 1 FROM admins) THEN
        RAISE EXCEPTION 'the last admin cannot be removed'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'admins_keep_one';
    END IF;
    RETURN NULL;
END $$;
"""

APPEND_ONLY = """
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND current_setting('sportscenter.audit_maintenance', true) = 'anonymise' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;
"""


def upgrade() -> None:
    op.create_table(
        "admins",
        sa.Column("user_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("granted_by", postgresql.UUID(as_uuid=True), nullable=True),
        sa.Column(
            "granted_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("CURRENT_TIMESTAMP"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name="fk_admins_user_id_users", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["granted_by"], ["users.id"], name="fk_admins_granted_by_users", ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("user_id", name="pk_admins"),
    )
    op.execute("INSERT INTO admins (user_id) SELECT id FROM users WHERE role = 'admin'")
    op.execute(KEEP_ONE)
    op.execute(
        "CREATE TRIGGER admins_keep_one AFTER DELETE ON admins REFERENCING OLD TABLE AS removed"
        " FOR EACH STATEMENT EXECUTE FUNCTION admins_keep_one()"
    )
    op.execute(APPEND_ONLY)
    op.execute(
        "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log"
        " FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
    )
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    op.add_column("users", sa.Column("telegram_username", sa.String(length=32), nullable=True))
    op.execute(
        "CREATE INDEX idx_users_name_trgm ON users"
        " USING gin (lower(first_name || ' ' || last_name) gin_trgm_ops)"
    )
    op.execute("CREATE INDEX idx_users_telegram_username ON users (lower(telegram_username))")
    op.add_column("payments", sa.Column("refund_reference", sa.String(length=255), nullable=True))
    op.add_column("users", sa.Column("phone_number_index", sa.String(length=64), nullable=True))
    op.create_index("idx_users_phone_number_index", "users", ["phone_number_index"])
    _index_phone_numbers()


def _index_phone_numbers() -> None:
    """Index every stored number with the caller's SecretBox (see the module's docstring)."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.text("SELECT id, phone_number FROM users WHERE phone_number IS NOT NULL")
    ).all()
    if not rows:
        return
    box = context.config.attributes.get("secret_box")
    if box is None:
        raise RuntimeError(
            "users.phone_number has values to index and no data key was given: "
            "run `sportscenter migrate`, which passes DATA_ENCRYPTION_KEY"
        )
    # As domain.people.phone_numbers.phone_index: the keyed hash of the last 9 digits.
    connection.execute(
        sa.text("UPDATE users SET phone_number_index = :index WHERE id = :id"),
        [
            {
                "id": row.id,
                "index": box.blind_index(re.sub(r"\D", "", box.decrypt(row.phone_number))[-9:]),
            }
            for row in rows
        ],
    )


def downgrade() -> None:
    op.drop_index("idx_users_phone_number_index", table_name="users")
    op.drop_column("users", "phone_number_index")
    op.drop_column("payments", "refund_reference")
    op.drop_index("idx_users_telegram_username", table_name="users")
    op.drop_index("idx_users_name_trgm", table_name="users")
    op.drop_column("users", "telegram_username")
    op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
    op.execute("DROP FUNCTION audit_log_append_only()")
    op.execute("DROP TRIGGER admins_keep_one ON admins")
    op.execute("DROP FUNCTION admins_keep_one()")
    op.drop_table("admins")

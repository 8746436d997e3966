"""Phone numbers encrypted at rest, like the birth date, medical notes and emergency contact.

`users.phone_number` becomes TEXT (a Fernet token outgrows VARCHAR(20)) and every clear value is
encrypted with the current data key. The key is not in the database: `sportscenter migrate`
hands its `SecretBox` over in the Alembic config (`config.attributes["secret_box"]`). Run
without one (plain `alembic upgrade`), the revision refuses if there is anything to encrypt
rather than leave numbers in clear. A value that is already a token is left alone, so the step
can be repeated. Downgrade decrypts them back into VARCHAR(20).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-07 01:00:00.000000
"""

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from alembic import context, op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Every Fernet token starts so (version byte 0x80, then a timestamp's zero high bytes); a phone
# number as we store it (digits, maybe a leading +) never does.
TOKEN_PREFIX = "gAAAAA"


def upgrade() -> None:
    op.alter_column("users", "phone_number", type_=sa.Text(), existing_type=sa.String(length=20))
    _rewrite(f"phone_number NOT LIKE '{TOKEN_PREFIX}%'", lambda box: box.encrypt)


def downgrade() -> None:
    _rewrite(f"phone_number LIKE '{TOKEN_PREFIX}%'", lambda box: box.decrypt)
    op.alter_column("users", "phone_number", type_=sa.String(length=20), existing_type=sa.Text())


def _rewrite(which: str, how: Callable[[object], Callable[[str], str]]) -> None:
    """Encrypt or decrypt the phone numbers matching `which` with the caller's SecretBox."""
    connection = op.get_bind()
    rows = connection.execute(
        sa.text(f"SELECT id, phone_number FROM users WHERE phone_number IS NOT NULL AND {which}")
    ).all()
    if not rows:
        return
    box = context.config.attributes.get("secret_box")
    if box is None:
        raise RuntimeError(
            "users.phone_number has values to encrypt or decrypt and no data key was given: "
            "run `sportscenter migrate`, which passes DATA_ENCRYPTION_KEY"
        )
    change = how(box)
    connection.execute(
        sa.text("UPDATE users SET phone_number = :phone WHERE id = :id"),
        [{"id": row.id, "phone": change(row.phone_number)} for row in rows],
    )

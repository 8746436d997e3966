"""Re-encrypting stored sensitive fields under the newest key, so an older key can be dropped.

`DATA_ENCRYPTION_KEY=NEW,OLD` makes new values use NEW while OLD still opens the rest; this
walks every encrypted column in batches (one short transaction each, rows locked while they
are rewritten) and re-encrypts each value under NEW. A value no key opens is counted and left
as it is: rotating must never destroy what it cannot read.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.models import Athlete, User
from domain.people import queries
from domain.people.phone_numbers import phone_index
from domain.secrets_box import SecretBox, UndecryptableField
from domain.uow import Transaction, UnitOfWork

# Every column that holds a `SecretBox` token, by table.
ENCRYPTED_COLUMNS: tuple[tuple[type[User] | type[Athlete], tuple[str, ...]], ...] = (
    (User, ("date_of_birth_encrypted", "phone_number")),
    (Athlete, ("emergency_contact_name", "emergency_contact_phone", "medical_conditions")),
)
BATCH_SIZE = 500


@dataclass
class RotationReport:
    """What a rotation did: values re-encrypted, and where values no key opens were found."""

    rotated: int = 0
    undecryptable: dict[str, int] = field(default_factory=dict)


async def rotate_encrypted_fields(
    uow: UnitOfWork, box: SecretBox, *, batch_size: int = BATCH_SIZE
) -> RotationReport:
    """Re-encrypt every stored sensitive value under `box`'s newest key."""
    report = RotationReport()
    for model, names in ENCRYPTED_COLUMNS:
        after = None
        while True:
            async with uow as tx:
                rows = await _batch(tx, model, names, after, batch_size)
                for row in rows:
                    _rotate_row(row, model, names, box, report)
                await tx.commit()
            if len(rows) < batch_size:
                break
            after = rows[-1].id
    return report


async def _batch(
    tx: Transaction,
    model: type[User] | type[Athlete],
    names: tuple[str, ...],
    after: object,
    size: int,
) -> list[User | Athlete]:
    return await queries.rows_with_any_of(tx, model, names, after, size)


def _rotate_row(
    row: User | Athlete,
    model: type[User] | type[Athlete],
    names: tuple[str, ...],
    box: SecretBox,
    report: RotationReport,
) -> None:
    for name in names:
        token = getattr(row, name)
        if token is None:
            continue
        try:
            setattr(row, name, box.rotate(token))
            if isinstance(row, User) and name == "phone_number":  # its index, under the same key
                row.phone_number_index = phone_index(box.decrypt(row.phone_number), box)
        except UndecryptableField:
            where = f"{model.__tablename__}.{name}"
            report.undecryptable[where] = report.undecryptable.get(where, 0) + 1
            continue
        report.rotated += 1

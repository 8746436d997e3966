"""Start-up check that DATA_ENCRYPTION_KEY opens what is already stored, before serving anyone.

A wrong key would otherwise surface much later, as profiles with their sensitive fields
missing; failing at start names the problem while the operator is still looking.
"""

from __future__ import annotations

import logging

from sqlalchemy import select

from bot.wiring import Services
from domain.models import Athlete, User
from domain.secrets_box import UndecryptableField

log = logging.getLogger(__name__)

# One stored value per encrypted column is enough: every value is written with the same key.
_ENCRYPTED_COLUMNS = (
    ("users.date_of_birth_encrypted", User.date_of_birth_encrypted),
    ("users.phone_number", User.phone_number),
    ("athletes.medical_conditions", Athlete.medical_conditions),
)


class EncryptionKeyMismatch(SystemExit):
    """The configured keys cannot decrypt data already in the database."""


async def check_encryption_key(services: Services, *, dev_key: bool = False) -> None:
    """Decrypt one stored value per encrypted column; EncryptionKeyMismatch if that fails."""
    if dev_key:
        log.warning(
            "DATA_ENCRYPTION_KEY is unset: sensitive fields use a development key derived from "
            "DATABASE_URL; set a real key before storing real people's data"
        )
    async with services.uow as tx:
        for name, column in _ENCRYPTED_COLUMNS:
            token = await tx.session.scalar(select(column).where(column.is_not(None)).limit(1))
            if token is None:
                continue
            try:
                services.secrets.decrypt(token)
            except UndecryptableField:
                raise EncryptionKeyMismatch(
                    f"DATA_ENCRYPTION_KEY cannot decrypt data already stored in {name}; start "
                    "with the key it was written with (list the new key first, the old after it)"
                ) from None

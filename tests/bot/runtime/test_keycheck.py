"""A wrong DATA_ENCRYPTION_KEY stops start-up with one clear line; the right key passes."""

from __future__ import annotations

import dataclasses
import logging

import pytest

from bot.keycheck import EncryptionKeyMismatch, check_encryption_key
from bot.wiring import Services
from domain.models import User
from domain.secrets_box import SecretBox

KEY_A, KEY_B = b"a" * 32, b"b" * 32


async def _stored_with_key_a(services: Services) -> None:
    async with services.uow as tx:
        token = SecretBox([KEY_A]).encrypt("2000-01-01")
        tx.users.add(
            User(role="athlete", first_name="Ana", telegram_user_id=4242,
                 date_of_birth_encrypted=token)
        )  # fmt: skip
        await tx.commit()


async def test_a_key_that_cannot_decrypt_stored_data_stops_start_up(services, uow) -> None:
    await _stored_with_key_a(services)
    wrong = dataclasses.replace(services, secrets=SecretBox([KEY_B]))
    with pytest.raises(EncryptionKeyMismatch) as stopped:
        await check_encryption_key(wrong)
    assert str(stopped.value) == (
        "DATA_ENCRYPTION_KEY cannot decrypt data already stored in users.date_of_birth_encrypted;"
        " start with the key it was written with (list the new key first, the old after it)"
    )
    assert isinstance(stopped.value, SystemExit)


async def test_the_old_key_listed_after_a_new_one_passes(services, uow) -> None:
    await _stored_with_key_a(services)
    await check_encryption_key(dataclasses.replace(services, secrets=SecretBox([KEY_B, KEY_A])))


async def test_an_empty_database_passes_and_the_dev_key_is_warned_about(
    services, uow, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="bot.keycheck"):
        await check_encryption_key(services, dev_key=True)
    assert "DATA_ENCRYPTION_KEY is unset" in caplog.text

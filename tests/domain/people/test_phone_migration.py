"""Migration 0010 encrypts the phone numbers already stored, with the key `migrate` passes."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest
from alembic import command
from sqlalchemy import text

from bot.migrate import alembic_config
from domain.adapters.db import create_engine
from domain.people.phone_numbers import phone_index
from domain.secrets_box import SecretBox

BOX = SecretBox([b"p" * 32])


async def _sql(url: str, statement: str) -> list[tuple[object, ...]]:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.begin() as conn:
            result = await conn.execute(text(statement))
            return [tuple(row) for row in result] if result.returns_rows else []
    finally:
        await engine.dispose()


def test_clear_phone_numbers_are_encrypted_and_only_with_a_key(
    make_scratch_database: Callable[[], str],
) -> None:
    url = make_scratch_database()
    command.upgrade(alembic_config(url), "0009")
    asyncio.run(
        _sql(
            url,
            "INSERT INTO users (role, first_name, phone_number) VALUES"
            " ('athlete', 'Ana', '+34600123456'), ('parent', 'Pat', NULL)",
        )
    )

    with pytest.raises(RuntimeError, match="DATA_ENCRYPTION_KEY"):
        command.upgrade(alembic_config(url), "0010")  # no key: refused, nothing half done
    command.upgrade(alembic_config(url, BOX), "0010")
    command.upgrade(alembic_config(url, BOX), "0010")  # again: a no-op

    [(stored,)] = asyncio.run(_sql(url, "SELECT phone_number FROM users WHERE first_name = 'Ana'"))
    assert "600123456" not in stored
    assert BOX.decrypt(stored) == "+34600123456"
    command.downgrade(alembic_config(url, BOX), "0009")
    rows = asyncio.run(_sql(url, "SELECT phone_number FROM users ORDER BY first_name"))
    assert rows == [("+34600123456",), (None,)]


def test_stored_phone_numbers_get_their_blind_index_with_the_key(
    make_scratch_database: Callable[[], str],
) -> None:
    url = make_scratch_database()
    command.upgrade(alembic_config(url, BOX), "0010")
    token = BOX.encrypt("+34600123456")
    asyncio.run(
        _sql(
            url,
            "INSERT INTO users (role, first_name, phone_number)"
            f" VALUES ('athlete', 'Ana', '{token}')",
        )
    )
    with pytest.raises(RuntimeError, match="DATA_ENCRYPTION_KEY"):
        command.upgrade(alembic_config(url), "0012")  # no key: refused, nothing half done
    command.upgrade(alembic_config(url, BOX), "0012")
    [(index,)] = asyncio.run(_sql(url, "SELECT phone_number_index FROM users"))
    assert index == phone_index("600 123 456", BOX) == phone_index("0034600123456", BOX)
    assert "600123456" not in index
    command.downgrade(alembic_config(url, BOX), "0010")

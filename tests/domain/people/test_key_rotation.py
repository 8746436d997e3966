"""Rotating the data key: every stored sensitive value ends up under the newest key."""

from __future__ import annotations

import asyncio
import base64
import os
import sys
from datetime import date
from pathlib import Path

from sqlalchemy import select

from domain.models import Athlete, User
from domain.people.key_rotation import rotate_encrypted_fields
from domain.people.phone_numbers import phone_index
from domain.secrets_box import SecretBox, UndecryptableField
from domain.uow import UnitOfWork

OLD, NEW = b"o" * 32, b"n" * 32
ROOT = Path(__file__).parents[3]


async def athlete_with_secrets(uow: UnitOfWork, box: SecretBox, name: str) -> Athlete:
    async with uow as tx:
        user = tx.users.add(
            User(
                role="athlete",
                first_name=name,
                date_of_birth_encrypted=box.encrypt_date(date(2010, 5, 1)),
                phone_number=box.encrypt("+15550001"),
            )
        )
        await tx.flush()
        athlete = tx.athletes.add(
            Athlete(
                user_id=user.id,
                primary_sport="tennis",
                emergency_contact_name=box.encrypt("Mum"),
                emergency_contact_phone=box.encrypt("+34600000000"),
                medical_conditions=box.encrypt("asthma"),
            )
        )
        await tx.commit()
    return athlete


async def stored(uow: UnitOfWork, athlete: Athlete) -> tuple[str, str, str, str, str]:
    async with uow as tx:
        row = await tx.session.get(Athlete, athlete.id)
        user = await tx.session.get(User, row.user_id)
        return (
            user.date_of_birth_encrypted,
            row.emergency_contact_name,
            row.emergency_contact_phone,
            row.medical_conditions,
            user.phone_number,
        )


async def test_after_a_rotation_the_old_key_can_be_dropped(uow: UnitOfWork) -> None:
    old_box = SecretBox([OLD])
    athletes = [await athlete_with_secrets(uow, old_box, f"A{n}") for n in range(5)]

    report = await rotate_encrypted_fields(uow, SecretBox([NEW, OLD]), batch_size=2)

    assert report.rotated >= 25 and report.undecryptable == {}
    new_only = SecretBox([NEW])
    for athlete in athletes:
        birth, contact, phone, notes, own_phone = await stored(uow, athlete)
        assert new_only.decrypt_date(birth) == date(2010, 5, 1)
        assert [new_only.decrypt(v) for v in (contact, phone, notes, own_phone)] == [
            "Mum",
            "+34600000000",
            "asthma",
            "+15550001",
        ]
    async with uow as tx:
        indexes = set(await tx.session.scalars(select(User.phone_number_index)))
    assert indexes == {phone_index("+15550001", new_only)}  # found under the new key


async def test_a_value_no_key_opens_is_reported_and_left_untouched(uow: UnitOfWork) -> None:
    stranger = SecretBox([b"x" * 32])
    athlete = await athlete_with_secrets(uow, stranger, "Zed")
    before = await stored(uow, athlete)

    report = await rotate_encrypted_fields(uow, SecretBox([NEW, OLD]))

    assert report.undecryptable["athletes.medical_conditions"] >= 1
    assert report.undecryptable["users.date_of_birth_encrypted"] >= 1
    assert await stored(uow, athlete) == before
    try:
        SecretBox([NEW]).decrypt(before[3])
    except UndecryptableField:
        pass
    else:
        raise AssertionError("a foreign token must stay unreadable to our keys")


async def test_the_rotate_keys_command_rotates_with_the_configured_keys(
    uow: UnitOfWork, database_url: str
) -> None:
    athlete = await athlete_with_secrets(uow, SecretBox([OLD]), "Cli")
    setting = ",".join(base64.urlsafe_b64encode(k).decode() for k in (NEW, OLD))
    env = {**os.environ, "DATABASE_URL": database_url, "DATA_ENCRYPTION_KEY": setting}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "rotate-keys", env=env, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await process.communicate()

    assert process.returncode in (0, 1), err.decode()
    assert "re-encrypted" in out.decode()
    assert SecretBox([NEW]).decrypt((await stored(uow, athlete))[3]) == "asthma"

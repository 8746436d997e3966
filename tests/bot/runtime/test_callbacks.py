"""Ids in callback data come back or not at all; a refused press is audited whatever it held.

Packing and parsing callback data: tests/handlers/shared/test_callback_data.py."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from domain.audit import record_refusal
from domain.models import AuditEntry
from domain.short_ids import parse_id, short_id
from domain.uow import UnitOfWork


@given(st.text(max_size=80))
def test_any_text_as_an_id_is_either_none_or_a_uuid(text: str) -> None:
    parsed = parse_id(text)
    assert parsed is None or short_id(parsed) == text


async def test_a_refusal_is_audited_even_for_an_unknown_user(uow: UnitOfWork) -> None:
    await record_refusal(uow, telegram_user_id=4711, reason="forged id", data="fam:swap:zzz")
    async with uow as tx:
        entry = (await tx.session.scalars(select(AuditEntry))).one()
    assert entry.action == "callback.refused"
    assert entry.details["reason"] == "forged id"


async def test_forged_data_with_nul_characters_is_still_audited(uow: UnitOfWork) -> None:
    await record_refusal(uow, telegram_user_id=4712, reason="garbage", data="fam:\x00:x")
    async with uow as tx:
        entry = (await tx.session.scalars(select(AuditEntry))).one()
    assert "\x00" not in entry.details["data"]

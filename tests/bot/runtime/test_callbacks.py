"""Callback data packs into 64 bytes and parses back; garbage is refused and audited."""

from __future__ import annotations

import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.callbacks import pack, parse_id, short_id, unpack
from domain.audit import record_refusal
from domain.models import AuditEntry
from domain.uow import UnitOfWork


def test_two_ids_fit_in_one_button_and_come_back() -> None:
    a, b = uuid.uuid4(), uuid.uuid4()
    data = pack("fam", "swap", a, b)
    assert len(data.encode()) <= 64
    press = unpack(data, flow="fam")
    assert (press.action, press.uuid_arg(0), press.uuid_arg(1)) == ("swap", a, b)


def test_data_over_64_bytes_is_refused_when_packing() -> None:
    with pytest.raises(ValueError):
        pack("fam", "x" * 70)


@pytest.mark.parametrize(
    "data", [None, "", "fam", "other:act", "fam::x", "x" * 65, "fam:a:" + "b" * 60]
)
def test_garbage_or_another_flows_data_does_not_parse(data: str | None) -> None:
    assert unpack(data, flow="fam") is None


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

"""Profile photos (issue 18, item 9): taken from Telegram with permission, or sent; shown on
the coach's card and in the booking's coach list; removable."""

from __future__ import annotations

import struct
import zlib

from sqlalchemy import select

from domain.models import AuditEntry, User
from domain.uow import UnitOfWork
from telegram_emulator import EmulatedUser, Emulator
from tests.factories import booking_world
from tests.handlers.chat_steps import open_chats


def png(width: int, height: int, shade: int = 0x80) -> bytes:
    """A real one-colour PNG picture."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        return struct.pack(">I", len(body)) + kind + body + crc

    rows = b"".join(b"\x00" + bytes([shade]) * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


async def a_coach_and_a_family(emulator: Emulator, uow: UnitOfWork):
    cora, pia, omar = emulator.user("Cora"), emulator.user("Pia"), emulator.user("Omar")
    world = await booking_world(uow, telegram_ids=iter([cora.id, pia.id, omar.id]))
    return world, cora, pia


async def image_key(uow: UnitOfWork, user_id) -> str | None:
    async with uow as tx:
        user = await tx.session.get(User, user_id)
        assert user is not None
        return user.profile_image_url


async def open_photo_menu(person: EmulatedUser) -> dict:
    await person.send("/profile")
    profile = await person.expect_reply(contains="Name:")
    await person.press("🖼 Profile photo", profile)
    return await person.expect("edit", contains="profile photo")


async def test_the_telegram_profile_photo_is_taken_only_when_the_person_says_so(
    emulator: Emulator, run_bot, uow: UnitOfWork, services
) -> None:
    world, cora, _ = await a_coach_and_a_family(emulator, uow)
    await cora.set_profile_photo(png(320, 320))
    async with run_bot(emulator):
        await open_chats(cora)
        menu = await open_photo_menu(cora)
        assert await image_key(uow, world.coach_user.id) is None  # asking took nothing
        await cora.press("📷 Use my Telegram profile photo", menu)
        await cora.expect("edit", contains="profile photo is saved")
    key = await image_key(uow, world.coach_user.id)
    assert key is not None and key.startswith(f"profile-images/{world.coach_user.id}/")
    assert await services.storage.read_bytes(key) == png(320, 320)
    async with uow as tx:
        actions = list(await tx.session.scalars(select(AuditEntry.action)))
    assert "profile_image.set" in actions


async def test_without_a_telegram_profile_photo_the_person_is_told_and_nothing_is_kept(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    world, cora, _ = await a_coach_and_a_family(emulator, uow)
    async with run_bot(emulator):
        await open_chats(cora)
        menu = await open_photo_menu(cora)
        await cora.press("📷 Use my Telegram profile photo", menu)
        await cora.expect("edit", contains="no profile photo of yours")
    assert await image_key(uow, world.coach_user.id) is None


async def test_a_sent_picture_becomes_the_profile_photo_and_other_input_gets_a_hint(
    emulator: Emulator, run_bot, uow: UnitOfWork, services
) -> None:
    world, cora, _ = await a_coach_and_a_family(emulator, uow)
    async with run_bot(emulator):
        await open_chats(cora)
        menu = await open_photo_menu(cora)
        await cora.press("📤 Send a picture", menu)
        await cora.expect("edit", contains="Send the picture now")
        await cora.send("here it comes")
        await cora.expect_reply(contains="isn't a picture")
        await cora.send_photo(png(200, 120, shade=0x20))
        await cora.expect_reply(contains="profile photo is saved")
    key = await image_key(uow, world.coach_user.id)
    assert key is not None and key.startswith(f"profile-images/{world.coach_user.id}/")
    assert (await services.storage.read_bytes(key)).startswith(b"\x89PNG")


async def test_the_coach_photo_is_shown_in_the_coach_list_and_on_the_card_until_removed(
    emulator: Emulator, run_bot, uow: UnitOfWork, services
) -> None:
    world, cora, pia = await a_coach_and_a_family(emulator, uow)
    await cora.set_profile_photo(png(320, 320))
    async with run_bot(emulator):
        await open_chats(cora, pia)
        menu = await open_photo_menu(cora)
        await cora.press("📷 Use my Telegram profile photo", menu)
        await cora.expect("edit", contains="profile photo is saved")
        await pia.send("/book")
        await pia.expect_reply(contains="Which sport")
        await pia.press("Tennis")
        listing = await pia.expect("edit", contains="Coaches for")
        in_list = await pia.expect("message")
        await pia.press("1. Cora Klein", listing)
        await pia.expect("edit", contains="Tennis for juniors")
        on_card = await pia.expect("message")
        key = await image_key(uow, world.coach_user.id)
        assert key is not None

        menu = await open_photo_menu(cora)
        await cora.press("🗑 Remove my photo", menu)
        await cora.expect("edit", contains="profile photo is removed")
        await pia.send("/book")
        await pia.expect_reply(contains="Which sport")
        await pia.press("Tennis")
        listing = await pia.expect("edit", contains="Coaches for")
        await pia.press("1. Cora Klein", listing)
        card = await pia.expect("edit", contains="Tennis for juniors")
    assert in_list["photo"] and in_list["caption"] == "1. Cora Klein"
    assert on_card["photo"] and on_card["caption"] == "Cora Klein"
    assert card["message_id"] == listing["message_id"]  # no photo message in between
    assert [m for m in pia.messages() if m.get("photo")] == [in_list, on_card]
    assert await image_key(uow, world.coach_user.id) is None
    assert not await services.storage.exists(key)

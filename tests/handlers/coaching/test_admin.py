"""Coach verification from the admin's side, through the emulator with the real application."""

from __future__ import annotations

from sqlalchemy import select

from domain.actors import actor_for_user
from domain.coaching import verification as coaching
from domain.models import AuditEntry, Coach, User
from domain.uow import UnitOfWork
from handlers.coaching.review_card import send_review
from telegram_emulator import Emulator
from tests.handlers.chat_steps import open_chats
from tests.handlers.coaching.coach_steps import (
    PDF,
    fill_in_profile,
    make_admin,
    sign_up,
    upload_and_submit,
)

APPROVE, REJECT = "✅ Approve", "❌ Reject"


async def _expect_review(admin, documents: int = 2) -> dict:
    """The documents re-sent as files, then the card with the buttons."""
    sent = [await admin.expect("message") for _ in range(documents)]
    assert [bool(message.get("document")) for message in sent] == [True] * documents
    assert sent[0]["document"]["file_name"] == "diploma.pdf"
    return await admin.expect_reply(contains="Coach to verify: Cora")


async def _coach_row(uow: UnitOfWork, user: User) -> tuple[Coach, User]:
    async with uow as tx:
        coach = await tx.session.scalar(select(Coach).where(Coach.user_id == user.id))
        return coach, await tx.users.get(user.id)


async def _audit_actions(uow: UnitOfWork) -> list[str]:
    async with uow as tx:
        return list(await tx.session.scalars(select(AuditEntry.action).order_by(AuditEntry.at)))


async def test_admins_get_the_profile_and_approve_it(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora, ada, abe = emulator.user("Cora"), emulator.user("Ada"), emulator.user("Abe")
    coach_user = await sign_up(uow, cora, "coach")
    await sign_up(uow, ada, "admin")  # seeded by ADMIN_TELEGRAM_IDS at sign-up
    await make_admin(uow, await sign_up(uow, abe, "athlete"))  # an athlete made an admin
    async with run_bot(emulator):
        await open_chats(ada, abe)
        await fill_in_profile(cora)
        await upload_and_submit(cora)
        card = await _expect_review(ada)
        assert "Tennis, Fitness, long jump" in card["text"] and "€45.00" in card["text"]
        await _expect_review(abe)
        await ada.press(APPROVE)
        await ada.expect("edit", contains="Approved by Ada")
        told = await cora.expect_reply(contains="has been verified")
        await abe.press(APPROVE)  # the second admin was too late
        answer = (await abe.expect("callback_answer"))["text"]
        # No hours yet, so nobody can book her: she is told what is next, one tap away.
        assert "can now find and book you" not in told["text"]
        assert "Next: set the hours athletes can book you" in told["text"]
        await cora.press("🗓 Set my hours", told)
        await cora.expect_reply(contains="Your week")
    assert "already been decided" in answer
    _, user = await _coach_row(uow, coach_user)
    assert user.verification_status and coaching.is_bookable(user)
    assert (await _audit_actions(uow)).count("coach.verified") == 1


async def test_a_rejected_coach_hears_the_reason_and_can_resubmit(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora, ada = emulator.user("Cora"), emulator.user("Ada")
    coach_user = await sign_up(uow, cora, "coach")
    await sign_up(uow, ada, "admin")
    async with run_bot(emulator):
        await open_chats(ada)
        await fill_in_profile(cora)
        await upload_and_submit(cora)
        await _expect_review(ada)
        await ada.press(REJECT)
        await ada.expect_reply(contains="Why are you rejecting Cora")
        await ada.send("no")
        await ada.expect_reply(contains="reason of 3 to 500")
        await ada.send("The diploma scan is unreadable, please send a sharper photo.")
        await ada.expect_reply(contains="has been told what to fix")
        await ada.expect("edit", contains="Rejected by Ada: The diploma scan is unreadable")
        await cora.expect_reply(contains="The diploma scan is unreadable")
        await cora.send("/coachprofile")
        await cora.expect_reply(contains="sent your profile back")
        await cora.expect_reply(contains="Chosen: Tennis, Fitness, long jump")
    coach, user = await _coach_row(uow, coach_user)
    assert coach.verification_note.startswith("The diploma scan is unreadable")
    assert not user.verification_status and not coaching.is_bookable(user)
    assert "coach.rejected" in await _audit_actions(uow)


async def test_a_forged_approve_from_a_non_admin_is_refused_and_audited(
    emulator: Emulator, run_bot, uow: UnitOfWork, services
) -> None:
    cora, ada, eve = emulator.user("Cora"), emulator.user("Ada"), emulator.user("Eve")
    coach_user = await sign_up(uow, cora, "coach")
    admin_user = await sign_up(uow, ada, "admin")
    await sign_up(uow, eve, "athlete")
    async with run_bot(emulator) as app:
        await open_chats(ada, eve)
        await fill_in_profile(cora)
        await upload_and_submit(cora)
        await _expect_review(ada)
        # Eve cannot press a button in Ada's chat, so the bot renders the same card in hers:
        # the press then travels the real path (emulator, HTTP, handler) with forged rights.
        async with uow as tx:
            admin = await actor_for_user(tx, admin_user)
        [review] = await coaching.pending(uow, admin=admin)
        await send_review(app.bot, services.storage, eve.id, review, "en")
        await eve.expect_reply(contains="Coach to verify: Cora")
        await eve.press(APPROVE)
        answer = await eve.expect("callback_answer")
        await eve.press(REJECT)
        await eve.expect("callback_answer")
    assert "isn't available" in answer["text"]
    coach, user = await _coach_row(uow, coach_user)
    assert not user.verification_status and coach.verification_note is None
    actions = await _audit_actions(uow)
    assert actions.count("callback.refused") == 2
    assert "coach.verified" not in actions and "coach.rejected" not in actions


async def test_pending_lists_waiting_coaches_for_admins_only(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora, ada, eve = emulator.user("Cora"), emulator.user("Ada"), emulator.user("Eve")
    await sign_up(uow, cora, "coach")
    await sign_up(uow, eve, "athlete")
    await sign_up(uow, ada, "athlete")  # an admin by configuration
    async with run_bot(emulator, admins=[ada.id]):
        await open_chats(ada)
        await ada.send("/pending")
        await ada.expect_reply(contains="No coaches are waiting")
        await fill_in_profile(cora)
        await upload_and_submit(cora)
        await eve.send("/pending")
        await eve.expect_reply(contains="I don't know the command /pending")
        await _expect_review(ada)  # the notification on submission
        await ada.send("/pending")
        await _expect_review(ada)
        admin_menu = emulator.bot.commands[(f"chat:{ada.id}:", "")]
        everyones_menu = emulator.bot.commands[("default", "")]
    assert "pending" in {command["command"] for command in admin_menu}
    assert "pending" not in {command["command"] for command in everyones_menu}


async def test_help_lists_the_admin_commands_for_admins_only(emulator, run_bot, uow) -> None:
    admin, other = emulator.user("Ada"), emulator.user("Olu")
    async with run_bot(emulator, admins=[admin.id]):
        await sign_up(uow, admin, "admin")
        await sign_up(uow, other, "athlete")
        await admin.send("/help")
        admin_help = await admin.expect_reply(contains="/help")
        await other.send("/help")
        other_help = await other.expect_reply(contains="/help")
    assert "/pending" in admin_help["text"]
    assert "/pending" not in other_help["text"]


async def test_a_document_name_that_reorders_text_reaches_the_admin_cleaned(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    cora, ada = emulator.user("Cora"), emulator.user("Ada")
    await sign_up(uow, cora, "coach")
    await sign_up(uow, ada, "admin")
    async with run_bot(emulator):
        await open_chats(ada)
        await fill_in_profile(cora)
        # Shown as it is, U+202E makes "diploma\u202efdp.exe" read "diplomaexe.pdf".
        await cora.send_document(PDF, filename="diploma\u202efdp.exe")
        await cora.expect_reply(contains="Got it: diplomafdp.exe")
        await cora.press("Done")
        await cora.expect("edit", contains="Submit it for verification?")
        await cora.press("Submit for verification")
        document = await ada.expect("message")
        card = await ada.expect_reply(contains="Coach to verify: Cora")
    assert document["document"]["file_name"] == "diplomafdp.exe"
    assert "diplomafdp.exe" in card["text"] and "\u202e" not in card["text"]

"""Admins running the service from the chat, through the emulator with the real application:
/user (card, nearest matches, phone, @username), suspend and unsuspend, reset, make and remove
admins, /stats, /audit, /refunds, /csv; and what non-admins see of all that (nothing)."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select, update

from bot.wiring import Services
from domain.models import AuditEntry, Payment, TrainingSession, User
from domain.payments.checkout import PaymentConfig
from domain.people.phone_numbers import phone_index
from domain.short_ids import short_id
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from tests.handlers.booking.booking_steps import press_data
from tests.handlers.chat_steps import open_chats
from tests.handlers.coaching.coach_steps import sign_up
from tests.handlers.payments.test_payments import PROVIDER_TOKEN, booked, deliver

SUSPEND, UNSUSPEND, RESET = "⛔ Suspend", "✅ Unsuspend", "🔄 Reset conversation"
PROMOTE, DEMOTE = "🛡 Make admin", "Remove admin"


async def paid_by_card(uow: UnitOfWork, session_id, payer: User, coach: User) -> Payment:
    """The session paid by card (a provider payment, which only an admin can refund)."""
    async with uow as tx:
        payment = tx.payments.add(
            Payment(payer_id=payer.id, recipient_id=coach.id, amount=Decimal("40.00"),
                    currency="EUR", status="completed", payment_type="session",
                    session_id=session_id, transaction_id="tg-charge-1",
                    provider_charge_id="ch_provider_1")
        )  # fmt: skip
        await tx.session.execute(
            update(TrainingSession)
            .where(TrainingSession.id == session_id)
            .values(payment_status="paid")
        )
        await tx.commit()
    return payment


async def audit_actions(uow: UnitOfWork) -> list[str]:
    async with uow as tx:
        return list(await tx.session.scalars(select(AuditEntry.action).order_by(AuditEntry.at)))


async def test_an_admin_suspends_a_parent_whose_paid_session_is_cancelled_and_refund_marked_done(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    services.payments = PaymentConfig(provider_token=PROVIDER_TOKEN)
    cast = await booked(emulator, uow, services)
    world = cast.world
    payment = await paid_by_card(uow, cast.session_id, world.parent, world.coach_user)
    ada = emulator.user("Ada")
    await sign_up(uow, ada, "admin")
    async with run_bot(emulator) as application:
        await open_chats(ada, cast.pia, cast.cora)
        await ada.send("/user Pia")
        card = await ada.expect_reply(contains="👤 Pia · parent")
        assert "Children: Kim" in card["text"] and "Coaches: Cora" in card["text"]
        await ada.press(SUSPEND, card)
        await ada.expect_reply(contains="Why are you suspending Pia")
        await ada.send("no")
        await ada.expect_reply(contains="reason of 3 to 500")
        await ada.send("Repeated abuse of the coaches in chat")
        await ada.expect_reply(
            contains="Pia is suspended and has been told why. Sessions cancelled or left: 1"
        )
        card = await ada.expect_reply(contains="Suspended because: Repeated abuse")
        await deliver(application)
        await cast.pia.expect_reply(contains="paused by our team. Reason: Repeated abuse")
        await cast.cora.expect_reply(contains="Session cancelled")
        # Suspended: no booking for Kim any more (domain.policy refuses every action).
        await cast.pia.send("/book")
        refused = await cast.pia.expect_reply()
        async with uow as tx:
            session = await tx.sessions.get(cast.session_id)
            stored = await tx.payments.get(payment.id)
            assert (session.status, session.cancel_reason) == ("cancelled", "suspended")
            assert stored.status == "refund_due"
        await ada.send("/refunds")
        listed = await ada.expect_reply(contains="#1 €40.00 to Pia (coach Cora Klein)")
        assert "ch_provider_1" in listed["text"]
        await ada.press("✅ #1 refunded", listed)
        await ada.expect_reply(contains="Send the provider's reference")
        await ada.send("re_3PqA9b")
        await ada.expect_reply(contains="Recorded: €40.00 refunded, reference re_3PqA9b")
        await ada.press("✅ #1 refunded", listed)  # a second time: done already
        again = await ada.expect("callback_answer")
        await ada.press(UNSUSPEND, card)
        await ada.expect("callback_answer", contains="Pia can use the bot again")
        await deliver(application)
        await cast.pia.expect_reply(contains="active again")
    assert "paused" in refused["text"]
    assert "not due any more" in again["text"]
    async with uow as tx:
        stored = await tx.payments.get(payment.id)
        pia = await tx.users.get(world.parent.id)
    assert (stored.status, stored.refund_reference) == ("refunded", "re_3PqA9b")
    assert pia.status == "active"
    actions = await audit_actions(uow)
    for action in ("user.suspended", "session.cancelled", "payment.refund_due",
                   "payment.refund_done", "user.unsuspended"):  # fmt: skip
        assert action in actions, action


async def test_user_finds_by_username_phone_and_near_names_and_admin_rights_move(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    ada, cora, eve = emulator.user("Ada"), emulator.user("Mariana"), emulator.user("Eve")
    admin = await sign_up(uow, ada, "admin")
    coach = await sign_up(uow, cora, "coach")
    await sign_up(uow, eve, "athlete")
    async with uow as tx:
        await tx.session.execute(
            update(User).where(User.id == coach.id).values(
                last_name="Lopez", telegram_username="MariLo",
                phone_number=services.secrets.encrypt("+34600123456"),
                phone_number_index=phone_index("+34600123456", services.secrets),
            )
        )  # fmt: skip
        await tx.commit()
    async with run_bot(emulator):
        await open_chats(ada, cora)
        await ada.send("/user Marina Lopes")
        near = await ada.expect_reply(
            contains="Nobody is called “Marina Lopes”. The closest names:"
        )
        await ada.press("Mariana Lopez · coach", near)
        await ada.expect("edit", contains="👤 Mariana Lopez · coach")
        await ada.send("/user @marilo")
        await ada.expect_reply(contains=f"Telegram: {cora.id} · @MariLo")
        await ada.send("/user 600 123 456")
        card = await ada.expect_reply(contains="👤 Mariana Lopez")
        await ada.send("/user Zzyzx Qwv")
        await ada.expect_reply(contains="Nobody matches “Zzyzx Qwv”")
        await ada.press(PROMOTE, card)
        await ada.expect("callback_answer", contains="Mariana is now an admin")
        menu = emulator.bot.commands[(f"chat:{cora.id}:", "")]
        await ada.send("/admins")
        await ada.expect_reply(contains="• Mariana Lopez, since")
        await ada.send("/user Ada")
        own = await ada.expect_reply(contains="🛡 Admin")
        await cora.send("/user Ada")  # Mariana is an admin now: she removes Ada
        theirs = await cora.expect_reply(contains="👤 Ada · admin")
        await cora.press(DEMOTE, theirs)
        await cora.expect("callback_answer", contains="Ada is no longer an admin")
        await cora.send("/user Mariana")
        mine = await cora.expect_reply(contains="👤 Mariana Lopez")
        await cora.press(DEMOTE, mine)
        last = await cora.expect("callback_answer")
        # No longer an admin: the button of her old card is refused and audited.
        await press_data(emulator, ada, own, f"adm:user:susp:{short_id(coach.id)}")
        refused = await ada.expect("callback_answer")
        await ada.send("/stats")
        unknown = await ada.expect_reply()
    assert "user" in {command["command"] for command in menu}
    assert "last admin" in last["text"]
    assert "isn't available" in refused["text"]
    assert "I don't know the command /stats" in unknown["text"]
    actions = await audit_actions(uow)
    assert actions.count("admin.promoted") == 1 and actions.count("admin.demoted") == 1
    assert "callback.refused" in actions
    assert admin.id  # Ada's row stays; only her rights went


async def test_admin_commands_do_not_exist_for_others_and_forged_admin_buttons_are_refused(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ada, eve = emulator.user("Ada"), emulator.user("Eve")
    admin = await sign_up(uow, ada, "admin")
    await sign_up(uow, eve, "athlete")
    async with run_bot(emulator):
        await open_chats(eve)
        for command in (
            "/user Ada",
            "/admins",
            "/stats",
            "/audit",
            "/refunds",
            "/csv people 2026-12-01",
        ):
            await eve.send(command)
            name = command.split()[0]
            await eve.expect_reply(contains=f"I don't know the command {name}")
        home = eve.messages()[-1]
        for data in (f"adm:user:susp:{short_id(admin.id)}", f"adm:user:dem:{short_id(admin.id)}",
                     "adm:audit:1", f"adm:refund:{short_id(admin.id)}", "adm:nothing"):  # fmt: skip
            await press_data(emulator, eve, home, data)
            answer = await eve.expect("callback_answer")
            assert "isn't available" in answer["text"], data
    actions = await audit_actions(uow)
    assert actions.count("callback.refused") == 5
    assert "user.suspended" not in actions and "admin.demoted" not in actions


async def test_stats_audit_pages_and_a_formula_guarded_csv(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    services.payments = PaymentConfig(provider_token=PROVIDER_TOKEN)
    cast = await booked(emulator, uow, services)
    await paid_by_card(uow, cast.session_id, cast.world.parent, cast.world.coach_user)
    ada = emulator.user("Ada", language_code="es")
    await sign_up(uow, ada, "admin")
    async with uow as tx:
        await tx.session.execute(
            update(User).where(User.id == cast.world.parent.id).values(first_name="=HYPERLINK(1)")
        )
        for number in range(23):
            tx.audit.record(actor_id=cast.world.parent.id, action="test.poke", entity="user",
                            entity_id=cast.world.coach_user.id, details={"n": number})  # fmt: skip
        await tx.commit()
    async with run_bot(emulator):
        await open_chats(ada)
        await ada.send("/stats")
        text = await ada.expect_reply(contains="📊 SportsCenter hoy")
        chart = await ada.expect("message", contains="Personas y sesiones")
        await ada.send("/audit =HYPERLINK(1) action:test. from:2026-01-01")
        page = await ada.expect_reply(contains="página 1 de 3 (23 entradas)")
        await ada.press("Más antiguas ▶", page)
        older = await ada.expect("edit", contains="página 2 de 3")
        await ada.send("/audit from:2026-13-01")
        await ada.expect_reply(contains="from:AAAA-MM-DD")
        await ada.send("/csv payments 2020-01-01 2030-12-31")
        await ada.expect_reply(contains="366 días como mucho")
        today = datetime.now(UTC).date()
        await ada.send(f"/csv payments {today - timedelta(days=1)} {today + timedelta(days=1)}")
        sent = await ada.expect("message", contains="Pagos, en CSV")
        await ada.send("/csv payments ayer")
        await ada.expect_reply(contains="/csv sessions|payments|people")
    assert "Sesiones:" in text["text"] and "programadas 1" in text["text"]
    assert chart.get("photo")
    assert "=HYPERLINK(1) — test.poke — Cora" in page["text"]
    assert older["text"].count("test.poke") == 10
    rows = list(csv.reader(io.StringIO(
        emulator.world.files[sent["document"]["file_id"]].path.read_bytes().decode()
    )))  # fmt: skip
    assert rows[0][:3] == ["payment_id", "paid_at", "status"]
    assert rows[1][5] == "'=HYPERLINK(1)" and rows[1][3] == "40.00"
    assert "export.downloaded" in await audit_actions(uow)


async def test_a_stuck_conversation_is_reset_by_an_admin(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    ada, cora = emulator.user("Ada"), emulator.user("Cora")
    await sign_up(uow, ada, "admin")
    await sign_up(uow, cora, "coach")
    async with run_bot(emulator):
        await open_chats(ada, cora)
        await cora.send("/coachprofile")
        await cora.expect_reply(contains="What do you coach?")
        await ada.send("/user Cora")
        card = await ada.expect_reply(contains="👤 Cora · coach")
        await ada.press(RESET, card)
        await ada.expect("callback_answer", contains="Conversations ended: 1")
        await cora.send("Tennis and more")
        after = await cora.expect_reply()
    assert "What do you coach" not in after["text"]
    stored = await services.redis.hgetall(services.keys.session(cora.id))
    assert not [field for field in stored if field.startswith(b"conv:")]
    assert "user.conversation_reset" in await audit_actions(uow)

"""/broadcast through the emulator with the real application: audience, refusals, preview,
confirm, sending through the outbox with blocked people skipped and counted, the progress
message, Cancel, a restart in the middle, and what non-admins see of it (nothing)."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import func, select, update

from bot.app import BotContext
from bot.wiring import Services
from domain.clubs.teams import joining, teams
from domain.models import AuditEntry, Broadcast, Coach, Notification, Team, User
from domain.short_ids import short_id
from domain.uow import UnitOfWork
from handlers.admin.broadcast import update_progress
from telegram_emulator import Emulator
from tests.domain.admin.test_suspension import actor_of
from tests.handlers.booking.booking_steps import press_data
from tests.handlers.chat_steps import open_chats
from tests.handlers.coaching.coach_steps import sign_up
from tests.handlers.payments.test_payments import booked, deliver

NEWS = "Pitches close on Sunday for maintenance. Sessions move to the indoor hall."


async def audit_actions(uow: UnitOfWork) -> list[str]:
    async with uow as tx:
        return list(await tx.session.scalars(select(AuditEntry.action).order_by(AuditEntry.at)))


async def test_a_broadcast_to_parents_skips_the_blocked_and_goes_on_after_a_restart(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ada = emulator.user("Ada")
    pia, quinn, pat = emulator.user("Pia"), emulator.user("Quinn"), emulator.user("Pat")
    eve = emulator.user("Eve")
    await sign_up(uow, ada, "admin")
    for parent in (pia, quinn, pat):
        await sign_up(uow, parent, "parent")
    await sign_up(uow, eve, "athlete")
    async with run_bot(emulator):
        await open_chats(pia, quinn, pat, eve)
    pat.block_bot()  # known blocked: skipped when queued
    quinn.block_bot()  # not known yet: found out while sending
    async with uow as tx:
        await tx.session.execute(
            update(User).where(User.telegram_user_id == pat.id).values(status="blocked")
        )
        await tx.commit()
    async with run_bot(emulator):
        await ada.send("/broadcast")
        await ada.expect_reply(contains="Who should get this broadcast")
        await ada.press("Parents")
        await ada.expect_reply(contains="Type the message")
        await ada.send("x" * 5000)  # the example
        await ada.expect_reply(contains="That message is 5000 characters")
        await ada.send(NEWS)
        await ada.expect_reply(contains="Preview")
        await ada.expect_reply(contains=NEWS)
        summary = await ada.expect_reply(
            contains="People who will get it: 2. Skipped, as they blocked the bot: 1"
        )
        await ada.press("✅ Send to 2", summary)
        await ada.expect_reply(contains="Sending…")
    # The bot stopped before sending anything: the outbox's rows are the truth after a restart.
    async with run_bot(emulator) as application:
        await deliver(application)
        await pia.expect_reply(contains=NEWS)
        await update_progress(BotContext(application))
        done = await ada.expect_reply(contains="Broadcast done")
    assert "Sent: 1 · Blocked: 2 · Failed: 0" in done["text"]
    assert not any(NEWS in m.get("text", "") for m in eve.messages())
    assert "broadcast.sent" in await audit_actions(uow)
    async with uow as tx:
        status = await tx.session.scalar(select(Broadcast.status))
    assert status == "done"


async def test_cancel_stops_what_is_not_sent_and_others_cannot_broadcast(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ada, eve, pia = (
        emulator.user("Ada", language_code="es"),
        emulator.user("Eve"),
        emulator.user("Pia"),
    )
    await sign_up(uow, ada, "admin")
    await sign_up(uow, eve, "athlete")
    await sign_up(uow, pia, "parent")
    async with run_bot(emulator) as application:
        await open_chats(eve, pia)
        await eve.send("/broadcast")
        await eve.expect_reply(contains="I don't know the command /broadcast")
        await ada.send("/broadcast")
        await ada.expect_reply(contains="¿Quién debe recibir")
        await ada.press("Todos")
        await ada.expect_reply(contains="Escribe el mensaje")
        await ada.send(NEWS)
        summary = await ada.expect_reply(contains="Lo recibirán: 3.")
        async with uow as tx:
            broadcast_id = await tx.session.scalar(select(Broadcast.id))
        home = eve.messages()[-1]
        for data in (f"adm:bc:ok:{short_id(broadcast_id)}", "adm:bcto:all", "adm:bc:ok:forged"):
            await press_data(emulator, eve, home, data)
            answer = await eve.expect("callback_answer")
            assert "isn't available" in answer["text"], data
        await ada.press("✅ Enviar a 3", summary)
        sending = await ada.expect_reply(contains="Enviando…")
        await ada.press("⏹ Cancelar el resto", sending)
        cancelled = await ada.expect_reply(contains="Envío cancelado")
        await deliver(application)
        # A stale Confirm, pressed again after the cancel.
        await press_data(emulator, ada, summary, f"adm:bc:ok:{short_id(broadcast_id)}")
        again = await ada.expect("callback_answer")
    assert "Sin enviar: 3" in cancelled["text"]
    assert "ya se confirmó o se canceló" in again["text"]
    assert not any(NEWS in m.get("text", "") for m in pia.messages())
    actions = await audit_actions(uow)
    assert actions.count("callback.refused") == 3
    assert actions.count("broadcast.sent") == 1 and actions.count("broadcast.cancelled") == 1
    async with uow as tx:
        left = await tx.session.scalar(select(func.count()).select_from(Notification))
    assert left == 0


async def test_the_families_of_a_coach_and_the_coaches_of_a_sport(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await booked(emulator, uow, services)
    ada = emulator.user("Ada")
    await sign_up(uow, ada, "admin")
    async with uow as tx:
        await tx.session.execute(update(Coach).values(specializations=["soccer"]))
        await tx.session.execute(update(Notification).values(sent_at=func.now()))
        await tx.commit()
    async with run_bot(emulator) as application:
        await open_chats(cast.pia, cast.cora, cast.omar)
        await ada.send("/broadcast")
        await ada.expect_reply(contains="Who should get")
        await ada.press("Families of a coach…")
        await ada.expect_reply()  # the list of coaches in place of the audiences
        await ada.press("Cora Klein")
        await ada.expect_reply(contains="Type the message")
        await ada.send(NEWS)
        await ada.expect_reply(
            contains="To: the families of Cora Klein.\nPeople who will get it: 1."
        )
        await ada.press("✅ Send to 1")
        await ada.expect_reply(contains="Sending…")
        await ada.send("/broadcast")
        await ada.expect_reply(contains="Who should get")
        await ada.press("Coaches of a sport…")
        await ada.expect_reply()
        await ada.press("soccer")
        await ada.expect_reply(contains="Type the message")
        await ada.send("Coaches' meeting on Monday.")
        await ada.expect_reply(contains="To: soccer coaches.\nPeople who will get it: 1.")
        await ada.press("✅ Send to 1")
        await deliver(application)
        await cast.pia.expect_reply(contains=NEWS)
        await cast.cora.expect_reply(contains="Coaches' meeting on Monday.")
    assert not any(NEWS in m.get("text", "") for m in cast.omar.messages())
    assert not any(NEWS in m.get("text", "") for m in cast.cora.messages())


async def test_the_families_of_a_team(
    emulator: Emulator, run_bot, uow: UnitOfWork, services: Services
) -> None:
    cast = await booked(emulator, uow, services)
    ada = emulator.user("Ada")
    await sign_up(uow, ada, "admin")
    async with uow as tx:
        await tx.session.execute(update(Notification).values(sent_at=func.now()))
        await tx.commit()
    cora, pia = await actor_of(uow, cast.world.coach_user), await actor_of(uow, cast.world.parent)
    now = datetime.now(UTC)
    details = teams.TeamDetails("U12 Tigers", "tennis", "U12", now.date(), now.date())
    team_id = await teams.create_team(uow, actor=cora, details=details, now=now)
    async with uow as tx:
        team = await tx.session.get(Team, team_id)
        assert team is not None
    await joining.join_team(
        uow, actor=pia, code=team.join_code, athlete_id=cast.world.child.id, now=now
    )
    async with run_bot(emulator) as application:
        await open_chats(cast.pia, cast.cora, cast.omar)
        await ada.send("/broadcast")
        await ada.expect_reply(contains="Who should get")
        await ada.press("Families of a team…")
        await ada.expect_reply()  # the list of teams in place of the audiences
        await ada.press("U12 Tigers")
        await ada.expect_reply(contains="Type the message")
        await ada.send(NEWS)
        await ada.expect_reply(
            contains="To: the families of the team U12 Tigers.\nPeople who will get it: 1."
        )
        await ada.press("✅ Send to 1")
        await deliver(application)
        await cast.pia.expect_reply(contains=NEWS)
    assert not any(NEWS in m.get("text", "") for m in cast.omar.messages())

"""The outbox job through the emulator: what people receive, when, and what a refusal does."""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from telegram import Bot

from bot.app import BotApplication, BotContext
from bot.i18n import catalogues
from bot.outbox import send_due_notifications, telegram_deliverer
from domain.booking.calendar_files import Participant, SessionEvent, booking_ics, ics_document
from domain.booking.payment_notices import INVOICE
from domain.models import Notification, User, UserStatus
from domain.notifications.outbox import Outcome, drain
from domain.payments.records import STAR_REFUND
from domain.short_ids import short_id
from domain.uow import UnitOfWork
from telegram_emulator import Emulator
from telegram_emulator.driver import EmulatedUser
from telegram_emulator.limits import FloodControl
from tests.clock import FakeClock

STARTS_AT = "2030-12-01T15:00:00+00:00"
BUTTONS = [
    [
        {"label": "test.accept", "data": "booking:accept:abc"},
        {"label": "test.decline", "data": "booking:decline:abc"},
    ]
]
# Texts of booking-like notifications, for these tests only: the real ones belong to booking.
MESSAGES = {
    "en": {
        "notification.test_session": "Session with {coach} on {starts_at}",
        "notification.reminder_24h": "Tomorrow: {starts_at}",
        "notification.reminder_1h": "In an hour: {starts_at}",
        "test.accept": "✅ Accept",
        "test.decline": "✖️ Decline",
    },
    "es": {
        "notification.test_session": "Sesión con {coach} el {starts_at}",
        "test.accept": "✅ Aceptar",
        "test.decline": "✖️ Rechazar",
    },
}


@pytest.fixture(autouse=True)
def session_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    for lang, messages in MESSAGES.items():
        for key, text in messages.items():
            monkeypatch.setitem(catalogues()[lang], key, text)


async def _started_user(
    uow: UnitOfWork, person: EmulatedUser, language: str = "en", **fields: Any
) -> User:
    """The user row of someone who has written /start to the bot."""
    await person.send("/start")
    await person.expect_reply()
    async with uow as tx:
        user = await tx.users.by_telegram_id(person.id)
        if user is None:
            user = tx.users.add(User(role="athlete", first_name="Ann", telegram_user_id=person.id))
        user.language_code = language
        for name, value in fields.items():
            setattr(user, name, value)
        await tx.commit()
    return user


async def _notify(uow: UnitOfWork, user: User, kind: str, payload: dict[str, Any]) -> None:
    async with uow as tx:
        await tx.outbox.enqueue(
            recipient_id=user.id,
            kind=kind,
            dedup_key=f"{kind}:{user.id}",
            payload=payload,
            due_at=datetime.now(UTC) - timedelta(seconds=1),
        )
        await tx.commit()


async def _rows(uow: UnitOfWork) -> list[Notification]:
    async with uow as tx:
        return list((await tx.session.execute(select(Notification))).scalars().all())


async def _ping(uow: UnitOfWork, user: User, n: int, *, ago: timedelta) -> None:
    async with uow as tx:
        await tx.outbox.enqueue(
            recipient_id=user.id,
            kind="test_ping",
            dedup_key=f"ping:{user.id}:{n}",
            payload={"n": n},
            due_at=datetime.now(UTC) - ago,
        )
        await tx.commit()


async def _run_job(application: BotApplication) -> None:
    await send_due_notifications(BotContext(application))


async def test_a_due_notification_reaches_its_recipient(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ana = emulator.user("Ana", language_code="es")
    async with run_bot(emulator) as application:
        user = await _started_user(uow, ana, language="es")
        await _ping(uow, user, 1, ago=timedelta(seconds=1))

        await _run_job(application)

        assert (await ana.expect_reply())["text"] == "Ping 1"
    async with uow as tx:
        (row,) = (await tx.session.execute(select(Notification))).scalars().all()
    assert row.sent_at is not None and row.attempts == 1


async def test_a_blocked_recipient_is_marked_and_the_queue_goes_on_for_others(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ben, cleo = emulator.user("Ben"), emulator.user("Cleo")
    async with run_bot(emulator) as application:
        blocker = await _started_user(uow, ben)
        reader = await _started_user(uow, cleo)
        ben.block_bot()
        # Ben's notification is due first, so the sender meets the block before Cleo's.
        await _ping(uow, blocker, 1, ago=timedelta(minutes=2))
        await _ping(uow, reader, 2, ago=timedelta(minutes=1))

        await _run_job(application)

        assert (await cleo.expect_reply())["text"] == "Ping 2"
    async with uow as tx:
        assert (await tx.users.get(blocker.id)).status == UserStatus.BLOCKED
        rows = (await tx.session.execute(select(Notification))).scalars().all()
    by_recipient = {row.recipient_id: row for row in rows}
    assert by_recipient[blocker.id].sent_at is None
    assert by_recipient[blocker.id].last_error.startswith("final:")
    assert by_recipient[reader.id].sent_at is not None


async def test_buttons_arrive_as_an_inline_keyboard_in_the_recipients_language(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ana = emulator.user("Ana", language_code="es")
    async with run_bot(emulator) as application:
        user = await _started_user(uow, ana, language="es", timezone="Europe/Madrid")
        payload = {"coach": "Luis", "starts_at": STARTS_AT, "buttons": BUTTONS}
        await _notify(uow, user, "test_session", payload)

        await _run_job(application)

        message = await ana.expect_reply()
    assert message["text"] == "Sesión con Luis el dom 1 dic, 16:00"
    assert message["reply_markup"]["inline_keyboard"] == [
        [
            {"text": "✅ Aceptar", "callback_data": "booking:accept:abc"},
            {"text": "✖️ Rechazar", "callback_data": "booking:decline:abc"},
        ]
    ]


async def test_button_intents_become_the_capabilitys_callback_data_and_unknown_ones_are_refused(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ana, ben = emulator.user("Ana"), emulator.user("Ben")
    session_id = uuid.uuid4()
    intent = {"label": "test.accept", "button": "session.accept", "session_id": str(session_id)}
    async with run_bot(emulator) as application:
        for person, button in ((ana, intent), (ben, {**intent, "button": "session.explode"})):
            user = await _started_user(uow, person)
            payload = {"coach": "Luis", "starts_at": STARTS_AT, "buttons": [[button]]}
            await _notify(uow, user, "test_session", payload)

        await _run_job(application)

        message = await ana.expect_reply()
    assert message["reply_markup"]["inline_keyboard"] == [
        [{"text": "✅ Accept", "callback_data": f"ses:acc:{short_id(session_id)}"}]
    ]
    refused = [row for row in await _rows(uow) if row.sent_at is None]
    assert [row.last_error[:19] for row in refused] == ["final: cannot rende"]
    assert not [m for m in ben.messages() if "Luis" in m.get("text", "")]


async def test_times_are_shown_in_the_recipients_own_time_zone(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ben, cleo = emulator.user("Ben"), emulator.user("Cleo")
    async with run_bot(emulator) as application:
        in_new_york = await _started_user(uow, ben, timezone="America/New_York")
        in_tokyo = await _started_user(uow, cleo, timezone="Asia/Tokyo")
        for user in (in_new_york, in_tokyo):
            await _notify(uow, user, "test_session", {"coach": "Luis", "starts_at": STARTS_AT})

        await _run_job(application)

        assert (await ben.expect_reply())["text"] == "Session with Luis on Sun 1 Dec, 10:00"
        assert (await cleo.expect_reply())["text"] == "Session with Luis on Mon 2 Dec, 00:00"


def _session_ics() -> bytes:
    start = datetime.fromisoformat(STARTS_AT)
    event = SessionEvent(
        uid="s1@sportscenter",
        sequence=0,
        start=start,
        end=start + timedelta(hours=1),
        summary="Tennis, court 3; with Luis",
        organizer=Participant("Luis"),
    )
    return booking_ics(event)


async def test_a_document_arrives_as_a_file_with_the_text_and_buttons_as_its_caption(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ana, ics = emulator.user("Ana"), _session_ics()
    async with run_bot(emulator) as application:
        user = await _started_user(uow, ana, timezone="Europe/Madrid")
        payload = {
            "coach": "Luis",
            "starts_at": STARTS_AT,
            "buttons": BUTTONS,
            "document": ics_document(ics, "session.ics"),
        }
        await _notify(uow, user, "test_session", payload)

        await _run_job(application)

        message = await ana.expect_reply()
    assert message["caption"] == "Session with Luis on Sun 1 Dec, 16:00"
    assert message["reply_markup"]["inline_keyboard"][0][0]["text"] == "✅ Accept"
    document = message["document"]
    assert (document["file_name"], document["mime_type"]) == ("session.ics", "text/calendar")
    assert emulator.world.files[document["file_id"]].path.read_bytes() == ics


async def test_a_text_too_long_for_a_caption_comes_first_then_the_file(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ana, ics = emulator.user("Ana"), _session_ics()
    long_name = "Luis " * 250
    async with run_bot(emulator) as application:
        user = await _started_user(uow, ana)
        payload = {
            "coach": long_name,
            "starts_at": STARTS_AT,
            "buttons": BUTTONS,
            "document": ics_document(ics, "session.ics"),
        }
        await _notify(uow, user, "test_session", payload)

        await _run_job(application)

        text = await ana.expect_reply()
        file = await ana.expect_reply()
    assert text["text"].startswith("Session with Luis Luis") and "reply_markup" in text
    assert "caption" not in file and file["document"]["file_name"] == "session.ics"
    assert emulator.world.files[file["document"]["file_id"]].path.read_bytes() == ics


async def test_a_payload_of_the_wrong_shape_is_given_up_without_sending(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator) as application:
        user = await _started_user(uow, ana)
        payload = {"coach": "Luis", "starts_at": STARTS_AT, "buttons": [{"label": "test.accept"}]}
        await _notify(uow, user, "test_session", payload)

        await _run_job(application)

    (row,) = await _rows(uow)
    assert row.sent_at is None and row.last_error.startswith("final: cannot render")
    assert not [m for m in ana.messages() if "Luis" in m.get("text", "")]


async def test_a_reminder_that_can_wait_is_held_in_quiet_hours_while_the_last_one_goes_out(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    berlin = ZoneInfo("Europe/Berlin")
    local_now = datetime.now(berlin).replace(second=0, microsecond=0)
    quiet_end = local_now + timedelta(hours=1)
    ana = emulator.user("Ana")
    async with run_bot(emulator) as application:
        user = await _started_user(
            uow,
            ana,
            timezone="Europe/Berlin",
            quiet_from=(local_now - timedelta(hours=1)).time(),
            quiet_until=quiet_end.time(),
        )
        await _notify(uow, user, "reminder_24h", {"starts_at": STARTS_AT})
        await _notify(uow, user, "reminder_1h", {"starts_at": STARTS_AT})

        await _run_job(application)

        assert (await ana.expect_reply())["text"] == "In an hour: Sun 1 Dec, 16:00"
    assert not [m for m in ana.messages() if m.get("text", "").startswith("Tomorrow")]
    held = {row.kind: row for row in await _rows(uow)}["reminder_24h"]
    assert held.due_at == quiet_end.astimezone(UTC)
    assert (held.sent_at, held.attempts) == (None, 0)


@pytest.fixture
async def limited(clock: FakeClock) -> AsyncIterator[Emulator]:
    """Telegram with its flood limits on, on a clock the test moves."""
    async with Emulator(clock=clock) as running:
        yield running


async def test_a_rate_limited_notification_is_sent_when_telegram_says_and_only_once(
    limited: Emulator,
    clock: FakeClock,
    uow: UnitOfWork,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "true")  # PTB's coming RetryAfter, without its warning
    burst = FloodControl.PRIVATE[0]  # what Telegram lets through to one private chat at once
    count = burst + 2
    ana = limited.user("Ana")
    await ana.send("/start")
    async with uow as tx:
        user = tx.users.add(User(role="athlete", first_name="Ana", telegram_user_id=ana.id))
        await tx.flush()
        for n in range(count):
            await tx.outbox.enqueue(
                recipient_id=user.id, kind="test_ping", dedup_key=f"ping:{n}", payload={"n": n}
            )
        await tx.commit()
    now = datetime.now(UTC) + timedelta(seconds=1)
    # A bare Bot: the application's rate limiter would wait the 429s out itself.
    async with Bot(limited.token, base_url=limited.base_url) as bot:
        deliver = telegram_deliverer(bot)

        first = await drain(uow, now=now, limit=count, deliver=deliver)
        # Telegram lets a burst through at once, then asks to wait a second.
        assert (first.count(Outcome.SENT), first.count(Outcome.RETRY)) == (burst, 2)
        assert {row.due_at for row in await _rows(uow) if row.sent_at is None} == {
            now + timedelta(seconds=1)
        }
        while any(row.sent_at is None for row in await _rows(uow)):
            now += timedelta(seconds=1)
            clock.advance(1)
            await drain(uow, now=now, limit=count, deliver=deliver)

    texts = Counter(m.get("text") for m in ana.messages() if m.get("text", "").startswith("Ping"))
    assert texts == Counter(f"Ping {n}" for n in range(count))
    assert all(row.attempts == 1 for row in await _rows(uow))


# --- side-effect kinds: Bot API calls, not texts ------------------------------------------------


def _stars_charge(emulator: Emulator, person: EmulatedUser, **extra: object) -> str:
    """A Stars payment Telegram holds for `person`, as if they had paid an invoice."""
    charge_id = f"stxEMU{uuid.uuid4().hex[:24]}"
    emulator.bot.charges[charge_id] = {
        "currency": "XTR",
        "total_amount": 2000,
        "invoice_payload": "pay:x",
        "telegram_payment_charge_id": charge_id,
        "provider_payment_charge_id": "",
        "user_id": person.id,
        **extra,
    }
    return charge_id


async def test_a_star_refund_gives_the_stars_back_and_counts_as_sent(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ana = emulator.user("Ana")
    charge_id = _stars_charge(emulator, ana)
    async with run_bot(emulator) as application:
        user = await _started_user(uow, ana)
        payload = {"charge_id": charge_id, "telegram_user_id": ana.id}
        await _notify(uow, user, STAR_REFUND, payload)

        await _run_job(application)

    assert emulator.bot.charges[charge_id]["refunded"] is True
    assert ana.events("refund")[-1].data["telegram_payment_charge_id"] == charge_id
    (row,) = await _rows(uow)
    assert row.sent_at is not None


async def test_a_star_refund_already_made_is_done_not_failed(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ana = emulator.user("Ana")
    charge_id = _stars_charge(emulator, ana, refunded=True)
    async with run_bot(emulator) as application:
        user = await _started_user(uow, ana)
        await _notify(uow, user, STAR_REFUND, {"charge_id": charge_id, "telegram_user_id": ana.id})

        await _run_job(application)

    (row,) = await _rows(uow)
    assert row.sent_at is not None and row.last_error is None


async def test_a_star_refund_telegram_does_not_know_is_given_up(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator) as application:
        user = await _started_user(uow, ana)
        await _notify(uow, user, STAR_REFUND, {"charge_id": "nope", "telegram_user_id": ana.id})

        await _run_job(application)

    (row,) = await _rows(uow)
    assert row.sent_at is None and row.last_error.upper().startswith("FINAL: CHARGE_NOT_FOUND")


async def test_an_invoice_for_a_session_no_longer_payable_is_given_up_quietly(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator) as application:
        user = await _started_user(uow, ana)
        seen = len(ana.messages())
        await _notify(uow, user, INVOICE, {"session_id": str(uuid.uuid4()), "coach": "Luis"})

        await _run_job(application)

    (row,) = await _rows(uow)
    assert row.sent_at is None and row.last_error == "final: no longer payable"
    assert len(ana.messages()) == seen


async def test_an_invoice_without_its_session_is_given_up(
    emulator: Emulator, run_bot, uow: UnitOfWork
) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator) as application:
        user = await _started_user(uow, ana)
        await _notify(uow, user, INVOICE, {"coach": "Luis"})

        await _run_job(application)

    (row,) = await _rows(uow)
    assert row.sent_at is None and row.last_error.startswith("final: bad payload")


async def test_a_sender_without_services_leaves_an_invoice_for_one_that_has_them(
    emulator: Emulator, uow: UnitOfWork
) -> None:
    ana = emulator.user("Ana")
    await ana.send("/start")
    async with uow as tx:
        user = tx.users.add(User(role="athlete", first_name="Ana", telegram_user_id=ana.id))
        await tx.commit()
    await _notify(uow, user, INVOICE, {"session_id": str(uuid.uuid4())})
    async with Bot(emulator.token, base_url=emulator.base_url) as bot:
        report = await drain(
            uow,
            now=datetime.now(UTC),
            limit=10,
            deliver=telegram_deliverer(bot),
        )

    assert report.count(Outcome.RETRY) == 1
    (row,) = await _rows(uow)
    assert row.sent_at is None and not row.last_error.startswith("final:")


async def test_a_follow_up_that_fails_leaves_its_notice_sent_once(
    emulator: Emulator, run_bot, uow: UnitOfWork, caplog: pytest.LogCaptureFixture
) -> None:
    ana = emulator.user("Ana")
    async with run_bot(emulator) as application:
        user = await _started_user(uow, ana)
        facts = {"session_type": "individual", "athlete": "Kim", "minutes": 60}
        # No session_id: refreshing the coach's card cannot even start.
        payload = {**facts, "amount": {"amount": "40.00", "currency": "EUR"}}
        await _notify(uow, user, "payment_received", {**payload, "starts_at": STARTS_AT})

        await _run_job(application)
        await _run_job(application)

    assert len([m for m in ana.messages() if m.get("text", "").startswith("💰")]) == 1
    (row,) = await _rows(uow)
    assert row.sent_at is not None and row.attempts == 1
    assert "follow-up of notification" in caplog.text

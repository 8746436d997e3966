import logging
import re

import pytest
from sqlalchemy import select
from telegram import Update
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.app import BotApplication, BotContext
from bot.i18n import t
from bot.sending import send_text
from domain.errors import SlotTaken
from domain.models import User, UserStatus
from domain.uow import UnitOfWork
from tests.bot.runtime.fakes import USER_ID, FakeTelegram, callback_update, message_update

BLOCKED_BY_USER = (403, "Forbidden: bot was blocked by the user")


def _failing(app: BotApplication, error: Exception) -> None:
    async def fail(update: Update, context: BotContext) -> None:
        raise error

    app.add_handler(CommandHandler("fail", fail))
    app.add_handler(CallbackQueryHandler(fail, pattern="^fail$"))


async def _add_user(uow: UnitOfWork, telegram_user_id: int) -> None:
    async with uow as tx:
        tx.users.add(User(role="athlete", first_name="Ann", telegram_user_id=telegram_user_id))
        await tx.commit()


async def _status(uow: UnitOfWork, telegram_user_id: int) -> str | None:
    async with uow as tx:
        query = select(User.status).where(User.telegram_user_id == telegram_user_id)
        return (await tx.session.execute(query)).scalar_one()


async def test_an_unexpected_error_is_answered_with_a_reference_and_never_a_traceback(
    app: BotApplication, telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    _failing(app, RuntimeError("connection to 10.0.0.7 reset"))

    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        await app.process_update(message_update(app.bot, "/fail", update_id=7001))

    (reply,) = telegram.texts()
    ref = re.search(r"\b([0-9a-f]{8})\b", reply)
    assert ref is not None
    assert reply == t("error.unexpected", "en", ref=ref.group(1))
    assert "RuntimeError" not in reply and "10.0.0.7" not in reply
    (record,) = [r for r in caplog.records if r.name == "bot.errors"]
    assert "7001" in record.getMessage() and ref.group(1) in record.getMessage()
    assert record.exc_info is not None and record.exc_info[0] is RuntimeError


async def test_no_fallback_also_answers_an_update_that_failed(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    _failing(app, RuntimeError("boom"))

    await app.process_update(message_update(app.bot, "/fail"))

    assert len(telegram.texts()) == 1


async def test_a_failed_button_press_has_its_query_answered_too(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    _failing(app, RuntimeError("boom"))

    await app.process_update(callback_update(app.bot, "fail"))

    assert len(telegram.of("answerCallbackQuery")) == 1
    (reply,) = telegram.texts(USER_ID)
    assert reply.startswith(t("error.unexpected", "en", ref="X").split("X")[0])


async def test_a_domain_error_that_escapes_a_handler_is_told_in_its_own_words(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    _failing(app, SlotTaken("training_sessions_coach_no_overlap"))

    await app.process_update(message_update(app.bot, "/fail"))
    await app.process_update(callback_update(app.bot, "fail"))

    assert telegram.texts() == [t("error.slot_taken", "en")]
    (alert,) = telegram.of("answerCallbackQuery")
    assert alert.params == {
        "callback_query_id": alert.params["callback_query_id"],
        "text": t("error.slot_taken", "en"),
        "show_alert": True,
    }


async def test_a_user_who_blocked_the_bot_is_marked_blocked_and_not_answered(
    app: BotApplication, telegram: FakeTelegram, uow: UnitOfWork
) -> None:
    await _add_user(uow, USER_ID)

    async def reply(update: Update, context: BotContext) -> None:
        await update.effective_message.reply_text("your sessions")

    app.add_handler(CommandHandler("sessions", reply))
    telegram.refuse["sendMessage"] = BLOCKED_BY_USER

    await app.process_update(message_update(app.bot, "/sessions"))

    assert await _status(uow, USER_ID) == UserStatus.BLOCKED
    assert len(telegram.of("sendMessage")) == 1  # the refused reply only: no error message


async def test_a_blocked_recipient_is_marked_not_the_user_who_caused_the_send(
    app: BotApplication, telegram: FakeTelegram, uow: UnitOfWork
) -> None:
    coach_id = 5151
    await _add_user(uow, USER_ID)
    await _add_user(uow, coach_id)

    async def notify_coach(update: Update, context: BotContext) -> None:
        await send_text(context.bot, coach_id, "new booking")

    # Not a command of ours: the app's own /book flow would take the update first.
    app.add_handler(CommandHandler("pingcoach", notify_coach))
    telegram.refuse["sendMessage"] = BLOCKED_BY_USER

    await app.process_update(message_update(app.bot, "/pingcoach"))

    assert await _status(uow, coach_id) == UserStatus.BLOCKED
    assert await _status(uow, USER_ID) == "active"


async def test_an_error_outside_any_update_is_only_logged(
    app: BotApplication, telegram: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.ERROR, logger="bot.errors"):
        await app.process_error(update=None, error=ValueError("job failed"))

    assert telegram.texts() == []
    assert any(r.exc_info and r.exc_info[0] is ValueError for r in caplog.records)

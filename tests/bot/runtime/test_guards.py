import asyncio

import redis.asyncio as aioredis
from telegram import Update
from telegram.ext import CommandHandler

from bot import guards
from bot.app import BotApplication, BotContext
from bot.guards import DONE_TTL_S, PROCESSING_TTL_S, RATE_LIMITS
from bot.i18n import t
from domain.adapters.cache import RedisKeys
from tests.bot.runtime.fakes import (
    BOT_ID,
    AppFactory,
    FakeTelegram,
    callback_update,
    message_update,
)

# Every way the notice can read: the wait is rounded up to whole seconds within the window.
RATE_LIMITED = {t("error.rate_limited", "en", seconds=s) for s in range(1, 31)}


def _counting(app: BotApplication, command: str) -> list[int]:
    """Add /`command` that records each update it handles."""
    handled: list[int] = []

    async def count(update: Update, context: BotContext) -> None:
        handled.append(update.update_id)

    app.add_handler(CommandHandler(command, count))
    return handled


async def test_a_redelivered_update_has_one_effect(app: BotApplication) -> None:
    handled = _counting(app, "ping")
    update = message_update(app.bot, "/ping", update_id=9001)

    await app.process_update(update)
    await app.process_update(message_update(app.bot, "/ping", update_id=9001))

    assert handled == [9001]


async def test_a_processed_update_is_remembered_as_done_for_a_day(
    app: BotApplication, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    _counting(app, "ping")

    await app.process_update(message_update(app.bot, "/ping", update_id=9002))

    key = keys.processed_update(BOT_ID, 9002)
    assert await redis_client.get(key) == b"done"
    assert PROCESSING_TTL_S < await redis_client.ttl(key) <= DONE_TTL_S
    assert app.claimed_updates == set()


async def test_updates_finishing_together_are_all_remembered_as_done(
    app: BotApplication, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    handled = _counting(app, "ping")
    ids = range(9100, 9108)

    await asyncio.gather(
        *(app.process_update(message_update(app.bot, "/ping", update_id=i, user_id=i)) for i in ids)
    )

    assert sorted(handled) == list(ids)
    assert [await redis_client.get(keys.processed_update(BOT_ID, i)) for i in ids] == [b"done"] * 8
    assert app.claimed_updates == set()


async def test_a_failed_update_releases_its_claim_so_a_redelivery_is_processed(
    app: BotApplication, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    attempts: list[int] = []

    async def flaky(update: Update, context: BotContext) -> None:
        attempts.append(update.update_id)
        if len(attempts) == 1:
            raise RuntimeError("database hiccup")

    app.add_handler(CommandHandler("ping", flaky))

    await app.process_update(message_update(app.bot, "/ping", update_id=9003))
    assert await redis_client.exists(keys.processed_update(BOT_ID, 9003)) == 0
    await app.process_update(message_update(app.bot, "/ping", update_id=9003))

    assert attempts == [9003, 9003]
    assert await redis_client.get(keys.processed_update(BOT_ID, 9003)) == b"done"


async def test_updates_go_through_when_redis_is_down(
    make_app: AppFactory,
    make_services,
    dead_redis: aioredis.Redis,
    telegram: FakeTelegram,
) -> None:
    app = await make_app(with_services=make_services(dead_redis))
    handled = _counting(app, "ping")

    await app.process_update(message_update(app.bot, "/ping", update_id=9004))
    await app.process_update(message_update(app.bot, "/start"))

    assert handled == [9004]
    assert telegram.texts()[0].startswith(t("onboarding.greeting", "en", name="Ann"))


async def test_a_flood_of_messages_gets_one_polite_reply(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    handled = _counting(app, "ping")
    limit, _ = RATE_LIMITS["message"]

    for _ in range(limit + 5):
        await app.process_update(message_update(app.bot, "/ping"))

    assert len(handled) == limit
    notices = [text for text in telegram.texts() if text in RATE_LIMITED]
    assert len(notices) == 1


async def test_a_flood_of_button_presses_is_answered_with_one_alert(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    limit, _ = RATE_LIMITS["callback"]

    for _ in range(limit + 5):
        await app.process_update(callback_update(app.bot, "slot"))

    alerts = [c for c in telegram.of("answerCallbackQuery") if c.params.get("show_alert")]
    assert len(alerts) == 1
    assert alerts[0].params["text"] in RATE_LIMITED
    assert telegram.texts() == []  # refused presses get no chat message


async def test_one_users_flood_does_not_limit_another_user(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    handled = _counting(app, "ping")
    limit, _ = RATE_LIMITS["message"]

    for _ in range(limit + 1):
        await app.process_update(message_update(app.bot, "/ping", user_id=1))
    await app.process_update(message_update(app.bot, "/ping", user_id=2))

    assert len(handled) == limit + 1


def test_a_payment_is_never_counted_against_the_payers_rate_limit(app: BotApplication) -> None:
    update = message_update(app.bot, None)
    paid = {
        "currency": "XTR",
        "total_amount": 50,
        "invoice_payload": "pay:x",
        "telegram_payment_charge_id": "charge-1",
        "provider_payment_charge_id": "",
    }
    with_payment = Update.de_json(
        {
            "update_id": update.update_id,
            "message": {**update.message.to_dict(), "successful_payment": paid},
        },
        app.bot,
    )

    assert guards._endpoint(message_update(app.bot, "hi")) == "message"
    assert guards._endpoint(with_payment) is None


GROUP = {"id": -100_777, "type": "supergroup", "title": "Team"}


async def test_in_a_group_only_a_command_meant_for_groups_reaches_its_handler(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    scores, pings = _counting(app, "score"), _counting(app, "ping")
    app.group_commands.add("score")

    await app.process_update(message_update(app.bot, "/score", chat=GROUP, update_id=9101))
    await app.process_update(message_update(app.bot, "/ping", chat=GROUP, update_id=9102))
    await app.process_update(message_update(app.bot, "/ping@other_bot", chat=GROUP))
    await app.process_update(message_update(app.bot, "@sc_bot hello", chat=GROUP))
    await app.process_update(message_update(app.bot, "/ping", update_id=9103))

    assert scores == [9101] and pings == [9103]
    link = "https://t.me/sc_bot"
    assert telegram.texts(GROUP["id"]) == [t("common.private_only", "en", link=link)]


async def test_a_start_payload_opened_in_a_group_is_carried_over_by_the_link(
    app: BotApplication, telegram: FakeTelegram
) -> None:
    await app.process_update(message_update(app.bot, "/start@sc_bot inv-Ab_9", chat=GROUP))
    await app.process_update(message_update(app.bot, "/start not a payload!", chat=GROUP))

    assert telegram.texts(GROUP["id"]) == [
        t("common.private_only", "en", link="https://t.me/sc_bot?start=inv-Ab_9"),
        t("common.private_only", "en", link="https://t.me/sc_bot"),
    ]

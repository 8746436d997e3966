import json
import logging

import pytest
import redis.asyncio as aioredis
from telegram import Update
from telegram.ext import CommandHandler, ConversationHandler, MessageHandler, filters

from bot.app import BotApplication, BotContext
from bot.persistence import SESSION_TTL_S, RedisPersistence
from domain.adapters.cache import RedisKeys
from handlers.shared.common import cancel_fallback
from tests.bot.runtime.fakes import USER_ID, AppFactory, FakeTelegram, message_update

SPORT, LEVEL = range(2)


async def _ask_sport(update: Update, context: BotContext) -> int:
    await update.effective_message.reply_text("Which sport?")
    return SPORT


async def _ask_level(update: Update, context: BotContext) -> int:
    context.user_data["sport"] = update.effective_message.text
    await update.effective_message.reply_text("Which level?")
    return LEVEL


async def _done(update: Update, context: BotContext) -> int:
    sport = context.user_data.pop("sport")
    await update.effective_message.reply_text(f"{sport}, {update.effective_message.text}")
    return ConversationHandler.END


def _add_profile_flow(application: BotApplication) -> None:
    text = filters.TEXT & ~filters.COMMAND
    application.add_handler(
        ConversationHandler(
            entry_points=[CommandHandler("survey", _ask_sport)],
            states={
                SPORT: [MessageHandler(text, _ask_level)],
                LEVEL: [MessageHandler(text, _done)],
            },
            fallbacks=[cancel_fallback()],
            name="profile",
            persistent=True,
        )
    )


async def test_a_restarted_bot_resumes_a_conversation_where_it_stopped(
    make_app: AppFactory, telegram: FakeTelegram
) -> None:
    first = await make_app(before_initialize=_add_profile_flow)
    await first.process_update(message_update(first.bot, "/survey"))
    await first.process_update(message_update(first.bot, "football"))
    # A crash: nothing is shut down or flushed; only what was written through survives.

    after_restart = FakeTelegram()
    second = await make_app(request=after_restart, before_initialize=_add_profile_flow)
    await second.process_update(message_update(second.bot, "beginner"))

    assert after_restart.texts() == ["football, beginner"]


async def test_a_users_state_lives_in_their_session_hash_with_a_ttl(
    make_app: AppFactory, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    app = await make_app(before_initialize=_add_profile_flow)

    await app.process_update(message_update(app.bot, "/survey"))
    await app.process_update(message_update(app.bot, "football"))

    session = await redis_client.hgetall(keys.session(USER_ID))
    assert json.loads(session[b"user_data"]) == {"sport": "football"}
    assert json.loads(session[f'conv:["profile", [{USER_ID}, {USER_ID}]]'.encode()]) == LEVEL
    assert SESSION_TTL_S - 60 < await redis_client.ttl(keys.session(USER_ID)) <= SESSION_TTL_S


async def test_a_finished_conversation_leaves_nothing_behind(
    make_app: AppFactory, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    app = await make_app(before_initialize=_add_profile_flow)

    for text in ("/survey", "football", "beginner"):
        await app.process_update(message_update(app.bot, text))

    assert await redis_client.exists(keys.session(USER_ID)) == 0


async def test_every_kind_of_state_round_trips_through_a_new_instance(
    redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    saved = RedisPersistence(redis_client, keys)
    saved.track_conversation(_conversation("booking", per_chat=True))
    callback_data = ([("btn1", 1700000000.5, {"slot": "2026-01-01T09:00"})], {"q1": "btn1"})

    await saved.update_user_data(11, {"language": "ru", "draft": {"minutes": 60}})
    await saved.update_conversation("booking", (-100500, 11), 2)
    await saved.update_conversation("booking", (12, 12), "CONFIRM")
    await saved.update_chat_data(-100500, {"pinned": [1, 2]})
    await saved.update_bot_data({"version": 3})
    await saved.update_callback_data(callback_data)
    await saved.flush()

    loaded = RedisPersistence(redis_client, keys)
    assert await loaded.get_user_data() == {11: {"language": "ru", "draft": {"minutes": 60}}}
    assert await loaded.get_conversations("booking") == {(-100500, 11): 2, (12, 12): "CONFIRM"}
    assert await loaded.get_conversations("other") == {}
    assert await loaded.get_chat_data() == {-100500: {"pinned": [1, 2]}}
    assert await loaded.get_bot_data() == {"version": 3}
    assert await loaded.get_callback_data() == callback_data
    # The group conversation is filed under its user, not under the group.
    assert await redis_client.exists(keys.session(11), keys.session(12)) == 2


async def test_dropped_and_emptied_data_is_deleted(
    redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    persistence = RedisPersistence(redis_client, keys)
    await persistence.update_user_data(11, {"a": 1})
    await persistence.update_chat_data(11, {"b": 2})

    await persistence.drop_user_data(11)
    await persistence.update_chat_data(11, {})

    assert await redis_client.exists(keys.session(11), keys.chat_state(11)) == 0


async def test_a_conversation_without_a_user_in_its_key_is_refused(
    redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    with pytest.raises(ValueError, match="per_user"):
        RedisPersistence(redis_client, keys).track_conversation(
            _conversation("group_poll", per_chat=True, per_user=False)
        )


async def test_writes_while_redis_is_down_are_held_back_and_saved_when_it_returns(
    dead_redis: aioredis.Redis,
    redis_client: aioredis.Redis,
    keys: RedisKeys,
    caplog: pytest.LogCaptureFixture,
) -> None:
    persistence = RedisPersistence(dead_redis, keys)

    with caplog.at_level(logging.WARNING, logger="bot.persistence"):
        await persistence.update_user_data(11, {"sport": "tennis"})
        await persistence.update_conversation("profile", (11, 11), 1)
    assert await persistence.get_user_data() == {}  # loading degrades to "nothing saved"
    assert "Redis unavailable" in caplog.text

    persistence._redis = redis_client  # Redis is back
    await persistence.flush()

    reloaded = RedisPersistence(redis_client, keys)
    assert await reloaded.get_user_data() == {11: {"sport": "tennis"}}
    assert await reloaded.get_conversations("profile") == {(11, 11): 1}


async def test_unchanged_bot_data_is_not_written_again(
    redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    persistence = RedisPersistence(redis_client, keys)
    assert await persistence.get_bot_data() == {}

    await persistence.update_bot_data({})
    assert await redis_client.exists(keys.bot_state()) == 0
    await persistence.update_bot_data({"v": 1})
    assert json.loads(await redis_client.get(keys.bot_state())) == {"v": 1}


async def test_unchanged_user_and_chat_data_cost_no_round_trip(
    redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    persistence = RedisPersistence(redis_client, keys)
    await persistence.update_user_data(11, {"sport": "tennis"})
    await persistence.update_chat_data(11, {"menu": 1})
    # Remove what was written behind the persistence's back: a repeat write would restore it.
    await redis_client.delete(keys.session(11), keys.chat_state(11))

    await persistence.update_user_data(11, {"sport": "tennis"})
    await persistence.update_chat_data(11, {"menu": 1})
    assert await redis_client.exists(keys.session(11), keys.chat_state(11)) == 0

    await persistence.update_user_data(11, {"sport": "golf"})
    assert await redis_client.exists(keys.session(11)) == 1


def _conversation(name: str, *, per_chat: bool, per_user: bool = True) -> ConversationHandler:
    return ConversationHandler(
        entry_points=[CommandHandler("go", _ask_sport)],
        states={},
        fallbacks=[cancel_fallback()],
        name=name,
        persistent=True,
        per_chat=per_chat,
        per_user=per_user,
    )


class _CountingRedis:
    """The Redis client, counting the calls that could write (a pipeline, a SET, a DEL)."""

    def __init__(self, redis: aioredis.Redis) -> None:
        self._redis = redis
        self.writes: list[str] = []

    def __getattr__(self, name: str) -> object:
        if name in {"pipeline", "set", "delete", "hset", "hdel"}:
            self.writes.append(name)
        return getattr(self._redis, name)


async def test_an_update_that_changes_no_state_writes_nothing_to_redis(
    make_app: AppFactory, telegram: FakeTelegram
) -> None:
    app = await make_app(before_initialize=_add_profile_flow)
    persistence = app.persistence
    assert isinstance(persistence, RedisPersistence)
    counting = persistence._redis = _CountingRedis(persistence._redis)  # type: ignore[assignment]

    # A new person's message no flow takes: their user_data and chat_data stay empty.
    await app.process_update(message_update(app.bot, "hello"))
    await app.process_update(message_update(app.bot, "hello again"))

    assert telegram.texts()  # the update was answered
    assert counting.writes == []


async def test_emptying_state_loaded_at_start_still_deletes_it(
    redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    earlier = RedisPersistence(redis_client, keys, shared_state=False)
    earlier.track_conversation(_conversation("booking", per_chat=False))
    await earlier.update_user_data(11, {"a": 1})
    await earlier.update_conversation("booking", (11,), 2)
    await earlier.update_chat_data(11, {"b": 2})

    restarted = RedisPersistence(redis_client, keys, shared_state=False)
    restarted.track_conversation(_conversation("booking", per_chat=False))
    assert await restarted.get_user_data() == {11: {"a": 1}}
    assert await restarted.get_conversations("booking") == {(11,): 2}
    assert await restarted.get_chat_data() == {11: {"b": 2}}
    counting = restarted._redis = _CountingRedis(redis_client)  # type: ignore[assignment]
    await restarted.update_user_data(12, {})  # never saved: nothing to delete
    await restarted.update_chat_data(12, {})
    assert counting.writes == []

    await restarted.update_user_data(11, {})
    await restarted.update_conversation("booking", (11,), None)
    await restarted.update_chat_data(11, {})

    assert await redis_client.exists(keys.session(11), keys.chat_state(11)) == 0


async def test_replicas_delete_what_another_may_have_saved(
    redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    first = RedisPersistence(redis_client, keys)
    second = RedisPersistence(redis_client, keys)
    assert await second.get_chat_data() == {}  # loaded before the first saved anything

    await first.update_chat_data(11, {"b": 2})
    await second.update_chat_data(11, {})

    assert await redis_client.exists(keys.chat_state(11)) == 0

"""Two bot processes (here two applications) on one Redis: a user's state and turn are shared.

Each application stands for a replica behind the webhook's load balancer; the updates of one
person alternate between them as a round-robin balancer would send them.
"""

from __future__ import annotations

import asyncio

import redis.asyncio as aioredis
from telegram import Update
from telegram.ext import MessageHandler, filters

from bot.app import BotApplication, BotContext
from domain.adapters.cache import RedisKeys
from tests.bot.runtime.fakes import AppFactory, FakeTelegram, message_update
from tests.bot.runtime.test_persistence import _add_profile_flow


async def replicas(make_app: AppFactory, count: int = 2) -> list[BotApplication]:
    # All started before the first update: nothing is loaded from Redis at start that would
    # make them agree by accident.
    return [
        await make_app(replicated=True, before_initialize=_add_profile_flow) for _ in range(count)
    ]


async def test_a_flow_begun_on_one_replica_goes_on_on_another(
    make_app: AppFactory, telegram: FakeTelegram
) -> None:
    one, two = await replicas(make_app)

    await one.process_update(message_update(one.bot, "/survey"))
    await two.process_update(message_update(two.bot, "football"))
    await one.process_update(message_update(one.bot, "beginner"))

    assert telegram.texts() == ["Which sport?", "Which level?", "football, beginner"]


async def test_a_flow_ended_on_one_replica_is_over_on_the_other(
    make_app: AppFactory, telegram: FakeTelegram
) -> None:
    one, two = await replicas(make_app)
    await one.process_update(message_update(one.bot, "/survey"))
    await one.process_update(message_update(one.bot, "football"))

    await two.process_update(message_update(two.bot, "/cancel"))
    await one.process_update(message_update(one.bot, "advanced"))

    assert "football, advanced" not in telegram.texts()


async def test_one_users_updates_take_turns_across_replicas(make_app: AppFactory) -> None:
    inside: list[int] = []
    overlaps: list[int] = []

    async def slow(update: Update, context: BotContext) -> None:
        inside.append(update.update_id)
        if len(inside) > 1:
            overlaps.append(update.update_id)
        await asyncio.sleep(0.05)
        inside.remove(update.update_id)

    def add_slow(application: BotApplication) -> None:
        application.add_handler(MessageHandler(filters.TEXT, slow))

    one = await make_app(replicated=True, before_initialize=add_slow)
    two = await make_app(replicated=True, before_initialize=add_slow)

    await asyncio.gather(
        *(
            app.process_update(message_update(app.bot, f"tap {i}"))
            for i, app in enumerate([one, two, one, two])
        )
    )

    assert overlaps == []


async def test_an_update_left_half_done_by_a_replica_that_died_is_handled_on_redelivery(
    make_app: AppFactory, telegram: FakeTelegram, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    app = (await replicas(make_app, 1))[0]
    update = message_update(app.bot, "/survey")
    # The replica that took it was killed mid-update: its claim stays, its turn has lapsed.
    await redis_client.set(keys.processed_update(app.bot.id, update.update_id), b"processing")

    await app.process_update(update)

    assert telegram.texts() == ["Which sport?"]
    claim = keys.processed_update(app.bot.id, update.update_id)
    assert await redis_client.get(claim) == b"done"


async def test_a_copy_of_an_update_another_replica_handled_is_skipped(
    make_app: AppFactory, telegram: FakeTelegram
) -> None:
    one, two = await replicas(make_app)
    update = message_update(one.bot, "/survey")

    await one.process_update(update)
    await two.process_update(update)

    assert telegram.texts() == ["Which sport?"]


async def test_a_polling_bot_takes_turns_only_in_its_own_process(
    make_app: AppFactory, redis_client: aioredis.Redis, keys: RedisKeys
) -> None:
    # Telegram lets one process poll a bot: a turn in Redis would be a round trip for nothing.
    seen: dict[bool, bool] = {}

    def add_probe(replicated: bool):
        async def probe(update: Update, context: BotContext) -> None:
            turn = keys.user_turn(update.effective_user.id)
            seen[replicated] = bool(await redis_client.exists(turn))

        def add(application: BotApplication) -> None:
            application.add_handler(MessageHandler(filters.TEXT, probe))

        return add

    for replicated in (False, True):
        app = await make_app(replicated=replicated, before_initialize=add_probe(replicated))
        await app.process_update(message_update(app.bot, f"tap {replicated}"))

    assert seen == {False: False, True: True}
